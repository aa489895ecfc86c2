package org.interlude.app;

public final class Main {
  public static void main(String[] args) {
  }
}
