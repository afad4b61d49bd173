// Publish/subscribe between the chat and whoever shows it. Asynchronous, so that Redis pub/sub
// can carry it across processes; the in-process bus delivers synchronously, in publish order.
import type { Alert, Channel, Message } from './store.ts';

/**
 * Where a delivered event sits in its stream, on a bus that keeps streams (chat/redis-bus.ts):
 * `offset` counts the stream's events from 1 and `epoch` names one life of the stream, so two
 * offsets compare only within one epoch. The in-process bus leaves both out.
 */
export interface StreamPosition { offset?: number; epoch?: string }

/**
 * `reset`: the bus may have lost events of this stream (Redis lost it, or trimmed it past where
 * this process had read): whoever shows it should read it again from the store.
 */
export type ChannelEvent = StreamPosition & (
  | { type: 'reset'; channel: string }
  | { type: 'message'; message: Message }
  | { type: 'deleted'; channel: string; id: number }
  | { type: 'joined'; channel: string; name: string; at: number }
  | { type: 'left'; channel: string; name: string; at: number }
  /** In a big channel, joins and leaves are counted and announced together now and then. */
  | { type: 'crowd'; channel: string; joined: number; left: number; at: number });

export type GlobalEvent = StreamPosition & (
  | { type: 'reset' }
  | { type: 'alert'; alert: Alert }
  | { type: 'presence'; name: string; online: boolean }
  | { type: 'channel-created'; channel: Channel }
  /** What the user with this name key may do has changed: a grant, a revoke, a registration. */
  | { type: 'permissions'; key: string });

export type Unsubscribe = () => Promise<void>;

export interface Bus {
  publishChannel(channel: string, e: ChannelEvent): Promise<void>;
  publishGlobal(e: GlobalEvent): Promise<void>;
  subscribeChannel(channel: string, fn: (e: ChannelEvent) => void): Promise<Unsubscribe>;
  subscribeGlobal(fn: (e: GlobalEvent) => void): Promise<Unsubscribe>;
}

export class MemoryBus implements Bus {
  private readonly channels = new Map<string, Set<(e: ChannelEvent) => void>>();
  private readonly global = new Set<(e: GlobalEvent) => void>();

  constructor(private readonly onError: (err: unknown) => void = err => console.error('bus subscriber failed:', err)) {}

  async publishChannel(channel: string, e: ChannelEvent) { this.deliver(this.channels.get(channel), e); }
  async publishGlobal(e: GlobalEvent) { this.deliver(this.global, e); }

  async subscribeChannel(channel: string, fn: (e: ChannelEvent) => void): Promise<Unsubscribe> {
    let set = this.channels.get(channel);
    if (!set) { set = new Set(); this.channels.set(channel, set); }
    set.add(fn);
    return async () => {
      set!.delete(fn);
      if (set!.size === 0 && this.channels.get(channel) === set) this.channels.delete(channel);
    };
  }

  async subscribeGlobal(fn: (e: GlobalEvent) => void): Promise<Unsubscribe> {
    this.global.add(fn);
    return async () => { this.global.delete(fn); };
  }

  /** How many subscribers a channel has (for tests and metrics). */
  subscribers(channel: string): number { return this.channels.get(channel)?.size ?? 0; }

  private deliver<E>(subs: Set<(e: E) => void> | undefined, e: E) {
    if (!subs) return;
    // One failing subscriber must not keep the event from the others.
    for (const fn of [...subs]) { try { fn(e); } catch (err) { this.onError(err); } }
  }
}
