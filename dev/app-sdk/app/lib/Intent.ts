export type Intent = 'info' | 'success' | 'warning' | 'danger';

export interface Toast {
  intent: Intent;
  message: string;
}
