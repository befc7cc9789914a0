import { Agent, type Dispatcher } from "undici";

/** The answer to a refused WebSocket upgrade, which the WHATWG WebSocket API hides (it only says "error"). */
export interface Refusal {
  status?: number;
  body: string;
}

const agent = new Agent();

/**
 * A dispatcher for one WebSocket that notes the status and (the start of) the body of a non-101 answer to its
 * upgrade, so a refused key reads as 401 rather than as a network failure.
 */
export function watchingDispatcher(refusal: Refusal): Dispatcher {
  return agent.compose(
    (dispatch) => (opts, handler) =>
      dispatch(
        opts,
        new Proxy(handler, {
          get(target, key) {
            if (key === "onResponseStart")
              return (...args: unknown[]) => {
                refusal.status = args[1] as number;
                refusal.body = "";
                return (target.onResponseStart as (...a: unknown[]) => unknown)?.apply(target, args);
              };
            if (key === "onResponseData")
              return (...args: unknown[]) => {
                if (refusal.body.length < 2000) refusal.body += String(args[1]);
                return (target.onResponseData as (...a: unknown[]) => unknown)?.apply(target, args);
              };
            const value = Reflect.get(target, key);
            return typeof value === "function" ? value.bind(target) : value;
          },
        }),
      ),
  );
}
