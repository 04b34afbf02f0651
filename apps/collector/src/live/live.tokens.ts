/** Injection token of the collector side of the live seam (a LivePublisher from libs/contracts). */
export const LIVE_PUBLISHER = Symbol('NICSCOPE_LIVE_PUBLISHER');
