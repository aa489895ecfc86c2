// Modal dialogs on the native <dialog> element: it traps focus, closes on Escape and returns
// focus to where it was, without any inline styles.

import { h, uid, type Child } from './dom';

export interface ConfirmOptions {
  title: string;
  body: Child;
  confirm: string;
  cancel: string;
}

/** Asks a yes/no question; resolves true when the confirm button was chosen. */
export function confirmDialog(o: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const titleId = uid('dialog-title');
    const bodyId = uid('dialog-body');
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId, 'aria-describedby': bodyId },
      h('h2', { id: titleId }, o.title),
      h('div', { id: bodyId }, o.body),
      h(
        'div',
        { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close('cancel') }, o.cancel),
        h('button', { type: 'button', class: 'primary', onclick: () => dialog.close('confirm') }, o.confirm),
      ),
    );
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'confirm');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
