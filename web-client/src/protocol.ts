// Every shape exchanged with the server, REST (docs/openapi.yaml) and WebSocket
// (docs/asyncapi.yaml), in one place so protocol changes are made here and the compiler
// finds every use. Frames the server does not send yet (check-ins, crisis, alerts) are typed
// from the agreed shapes; the UI handles them whenever they arrive.

export type Uuid = string;
/** ISO-8601 date-time as sent by the server. */
export type IsoTime = string;
export type Role = 'client' | 'therapist' | 'oncall' | 'admin';

// ---------------------------------------------------------------- REST

export interface ApiErrorBody {
  error: string;
  message: string;
  field?: string;
  retryAfterSeconds?: number;
}

export interface Clinic {
  id: Uuid;
  name: string;
  /** ISO 3166 alpha-2; selects the crisis lines shown to clients. */
  country: string;
  timeZone: string;
  staffedHours: string;
  /** Staff must use a second factor (enrolment comes first after sign-in). */
  requireTotp?: boolean;
}

export interface Me {
  user: {
    id: Uuid;
    username: string;
    displayName: string;
    roles: Role[];
    timeZone: string;
  };
  clinic: Clinic;
  csrfToken: string;
  idleTimeoutSeconds: number;
  secondFactor: boolean;
}

export interface LoginRequest {
  username: string;
  password: string;
  totpCode?: string;
}

export interface ScoreSummary {
  total: number;
  bandLabel: string;
  at: IsoTime;
}

export type Severity = 'CRITICAL' | 'HIGH' | 'WATCH';

/** listClients: the first three fields exist today; the rest arrive with the chat/check-in/escalation work. */
export interface ClientSummary {
  id: Uuid;
  displayName: string;
  timeZone?: string;
  conversationId?: Uuid;
  unread?: number;
  latestScores?: Record<string, ScoreSummary>;
  openIncident?: { id: Uuid; severity: Severity } | null;
}

export interface ClientList {
  clients: ClientSummary[];
}

export interface Band {
  id: string;
  label: string;
  min: number;
  max: number;
}

export interface TrendPoint {
  at: IsoTime;
  total: number;
  /** For instruments banded on a percentage (WHO-5: raw × 4). */
  percentage?: number;
  /** Absent for an unbanded instrument (the safety pulse's mood item). */
  bandLabel?: string;
  resultId?: Uuid;
}

export const DOSING_ROUTES = ['sublingual', 'intranasal', 'intramuscular', 'intravenous'] as const;
export type DosingRoute = (typeof DOSING_ROUTES)[number];

export interface DosingSession {
  id: Uuid;
  startsAt: IsoTime;
  route: DosingRoute;
  status?: 'scheduled' | 'completed' | 'cancelled';
}

export interface Trends {
  instrument: {
    id: string;
    title: string;
    min: number;
    max: number;
    bands: Band[];
    /** Percentage = total × multiplier (WHO-5). */
    multiplier?: number;
    /** For an unscored instrument, the scale item that is charted. */
    itemId?: string;
  };
  points: TrendPoint[];
  dosingSessions: DosingSession[];
}

export interface DosingSessionList {
  dosingSessions: DosingSession[];
}

export interface NewDosingSession {
  startsAt: IsoTime;
  route: DosingRoute;
}

/** "HH:MM" on the client's own wall clock. */
export type LocalTime = string;

/** [start, end) on the client's clock; start after end wraps midnight; equal means none. */
export interface QuietHours {
  start: LocalTime;
  end: LocalTime;
}

export const DAYS_OF_WEEK = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

export type StepAnchor =
  | { type: 'doseDay'; dayOffset: number; localTime: LocalTime }
  | { type: 'afterDoseStart'; offsetMinutes: number }
  | { type: 'weekly'; dayOfWeek: DayOfWeek; localTime: LocalTime };

export type PromptPath = 'routine' | 'crisis_path';

export interface PlanStep {
  stepId: string;
  instruments: string[];
  anchor: StepAnchor;
  reminderAfterMinutes?: number;
  expiresAfterMinutes: number;
  /** routine when absent. */
  path?: PromptPath;
  message?: string;
}

/** getCheckinPlan / putCheckinPlan. */
export interface CheckinPlan {
  planId: string;
  /** False while the client follows the default integration plan. */
  custom: boolean;
  quietHours: QuietHours;
  steps: PlanStep[];
  updatedAt?: IsoTime;
}

/** pending: scheduled; delivered: sent, waiting for an answer; missed: expired unanswered; cancelled: withdrawn before delivery. */
export type CheckinState = 'pending' | 'delivered' | 'answered' | 'missed' | 'cancelled';
/** listCheckins' state filter: pending covers pending and delivered. */
export type CheckinStateFilter = 'pending' | 'answered' | 'missed' | 'cancelled';

/** listCheckins: one instrument of one occurrence of a plan step. */
export interface CheckinItem {
  promptId: Uuid;
  stepId: string;
  occurrenceKey: string;
  instrumentId: string;
  title: string;
  state: CheckinState;
  dueAt: IsoTime;
  remindAt?: IsoTime;
  expiresAt: IsoTime;
  deliveredAt?: IsoTime;
  firstSentAt?: IsoTime;
  remindedAt?: IsoTime;
  answeredAt?: IsoTime;
  missedAt?: IsoTime;
  cancelledAt?: IsoTime;
  dosingSessionId?: Uuid;
  resultId?: Uuid;
  total?: number;
  bandLabel?: string;
}

export interface CheckinList {
  checkins: CheckinItem[];
}

export type IncidentState = 'triggered' | 'acknowledged' | 'resolved';

export interface Incident {
  id: Uuid;
  clientId: Uuid;
  clientName: string;
  severity: Severity;
  trigger?: { kind: TriggerKind; ruleId?: string; summary?: string };
  openedAt: IsoTime;
  state: IncidentState;
  acknowledgedBy?: string;
  acknowledgedById?: Uuid;
  acknowledgedAt?: IsoTime;
  /** The whole escalation chain passed without an acknowledgement. */
  unansweredAt?: IsoTime;
  resolvedAt?: IsoTime;
  disposition?: string;
}

export type TriggerKind = 'crisis_button' | 'checkin' | 'chat' | 'missed_checkin';

export interface IncidentList {
  incidents: Incident[];
}

export const DISPOSITIONS = ['reached_client', 'safety_plan_reviewed', 'emergency_services_called', 'false_alarm'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export interface ResolveIncident {
  disposition: Disposition;
  note: string;
}

// ---------------------------------------------------------------- Instruments (check-ins)

export interface AnswerOption {
  value: number;
  label: string;
}

export interface InstrumentItem {
  id: string;
  text: string;
  type: 'choice' | 'boolean' | 'scale' | 'text';
  required?: boolean;
  options?: AnswerOption[];
  min?: number;
  max?: number;
  minLabel?: string;
  maxLabel?: string;
  maxLength?: number;
}

export interface Instrument {
  id: string;
  version: number;
  title: string;
  stem: string;
  instructions?: string;
  items: InstrumentItem[];
}

export type Answer = number | boolean | string;

// ---------------------------------------------------------------- WebSocket: browser -> server

export interface ChatSend {
  type: 'chat.send';
  ref?: string;
  conversationId: Uuid;
  clientMsgId: Uuid;
  text: string;
}

export interface ChatSync {
  type: 'chat.sync';
  ref?: string;
  conversationId: Uuid;
  afterSeq: number;
}

export interface ChatHistory {
  type: 'chat.history';
  ref?: string;
  conversationId: Uuid;
  beforeSeq: number;
  limit?: number;
}

export interface ChatRead {
  type: 'chat.read';
  conversationId: Uuid;
  seq: number;
}

export interface ChatTyping {
  type: 'chat.typing';
  conversationId: Uuid;
}

export interface CheckinSubmit {
  type: 'checkin.submit';
  ref?: string;
  promptId: Uuid;
  answers: Record<string, Answer>;
}

export interface CrisisReport {
  type: 'crisis.report';
  ref?: string;
  clientReportId: Uuid;
}

export type ClientFrame = ChatSend | ChatSync | ChatHistory | ChatRead | ChatTyping | CheckinSubmit | CrisisReport;

// ---------------------------------------------------------------- WebSocket: server -> browser

export interface Participant {
  id: Uuid;
  displayName: string;
  role: 'client' | 'therapist' | 'oncall';
}

export interface ConversationSummary {
  conversationId: Uuid;
  clientId: Uuid;
  clientName: string;
  lastSeq: number;
  readSeq: number;
  otherReadSeq: number;
  unread: number;
  participants: Participant[];
}

export interface Hello {
  type: 'hello';
  user: { id: Uuid; displayName: string; roles: Role[] };
  idleTimeoutSeconds: number;
  serverTime: IsoTime;
  conversations?: ConversationSummary[];
}

export interface ChatAck {
  type: 'chat.ack';
  ref?: string;
  conversationId: Uuid;
  clientMsgId: Uuid;
  seq: number;
  at: IsoTime;
}

export interface ChatMessage {
  type: 'chat.message';
  conversationId: Uuid;
  seq: number;
  clientMsgId?: Uuid;
  at: IsoTime;
  sender: Participant;
  text?: string;
  unreadable?: boolean;
}

export interface ChatSynced {
  type: 'chat.synced';
  ref?: string;
  conversationId: Uuid;
  lastSeq: number;
}

export interface ChatHistoryPage {
  type: 'chat.history.page';
  ref?: string;
  conversationId: Uuid;
  messages: ChatMessage[];
  hasMore: boolean;
}

export interface ChatReadReceipt {
  type: 'chat.read.receipt';
  conversationId: Uuid;
  userId: Uuid;
  displayName: string;
  seq: number;
  at: IsoTime;
}

export interface ChatTypingIndicator {
  type: 'chat.typing.indicator';
  conversationId: Uuid;
  userId: Uuid;
  displayName: string;
}

export interface ChatUnread {
  type: 'chat.unread';
  conversationId: Uuid;
  clientId: Uuid;
  unread: number;
  /** Documented, but not sent by the server today. */
  lastSeq?: number;
}

export interface Notice {
  type: 'notice';
  kind: 'unread_messages' | 'break_glass' | 'coverage_gap';
  clientId?: Uuid;
  at: IsoTime;
}

export interface SessionEnded {
  type: 'session.ended';
  reason: string;
}

export interface ErrorFrame {
  type: 'error';
  code: string;
  message: string;
  field?: string;
  ref?: string;
  /** invalid_answers only. */
  problems?: { itemId: string; code: string; message: string }[];
}

/** One instrument of a due plan step; may arrive again (reminder, reconnect): de-duplicate by promptId. */
export interface CheckinPrompt {
  type: 'checkin.prompt';
  promptId: Uuid;
  stepId?: string;
  occurrenceKey?: string;
  /** Order within the step. */
  position?: number;
  instrument: Instrument;
  dueAt: IsoTime;
  expiresAt: IsoTime;
  remindedAt?: IsoTime;
  message?: string;
}

export interface CheckinAccepted {
  type: 'checkin.accepted';
  promptId: Uuid;
  ref?: string;
  /** Already answered; the first answers stand. */
  duplicate?: boolean;
  /** The answers report an emergency: tell the client to call the emergency number now. */
  clientAction?: 'call_emergency_number_now';
}

export interface CheckinResult {
  type: 'checkin.result';
  clientId: Uuid;
  resultId: Uuid;
  instrumentId: string;
  title: string;
  /** Absent for unscored instruments. */
  total?: number;
  bandLabel?: string;
  at: IsoTime;
}

export interface CrisisLine {
  name: string;
  contact: string;
}

export interface CrisisInfo {
  type: 'crisis.info';
  ref?: string;
  incidentId: Uuid;
  severity: Severity;
  lines: CrisisLine[];
  emergencyNumber: string;
  staffedHours: string;
  message: string;
  /** A CRITICAL post-dose signal: the message says to call the emergency number now. */
  callEmergencyNow?: boolean;
}

export interface IncidentStatus {
  type: 'incident.status';
  incidentId: Uuid;
  /** acknowledged: a named clinician has seen it; unanswered: nobody did, call directly. */
  state: 'acknowledged' | 'unanswered';
  acknowledgedBy?: string;
  at: IsoTime;
  message: string;
  lines?: CrisisLine[];
  emergencyNumber?: string;
}

export interface AlertFrame {
  type: 'alert';
  incident: Incident;
}

export type ServerFrame =
  | Hello
  | ChatAck
  | ChatMessage
  | ChatSynced
  | ChatHistoryPage
  | ChatReadReceipt
  | ChatTypingIndicator
  | ChatUnread
  | Notice
  | SessionEnded
  | ErrorFrame
  | CheckinPrompt
  | CheckinAccepted
  | CheckinResult
  | CrisisInfo
  | IncidentStatus
  | AlertFrame;

export type ServerFrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

/** Close codes of docs/asyncapi.yaml. */
export const CLOSE_SESSION_ENDED = 1008;

export const SUBPROTOCOL = 'interlude.v1';
