import type { Channel, RoutedMessage as Routed } from '@switchboard/schema';
import { routedMessage } from '@switchboard/testkit';

export interface Overrides extends Partial<Routed> {
  channel?: Channel;
}

/** A routed refund request, sent a moment ago unless told. */
export function routed(overrides: Overrides = {}): Routed {
  return routedMessage({
    sender: { id: 'maria.gomez@customer.example', name: 'Maria Gomez', address: 'maria.gomez@customer.example' },
    subject: 'Refund for cancelled order 88213',
    text: 'Hi,\nthe shop cancelled my order 88213 a week ago but the 59.90 EUR have not come back to my wallet.\nMaria',
    category: 'refund',
    confidence: 0.87,
    explanation: { priorityRules: [], features: ['refund', 'cancelled'] },
    ...overrides,
  });
}
