/**
 * The options of startSandbox and their defaults: which estate to serve (the demo estate unless
 * told), where to listen, fault overrides and body limits.
 */
import { demoEstatePath } from '../../paths.js';
import { loadEstate } from '../estate.js';
import { FaultInjector } from '../faults.js';
import type { Estate, GlobalFaults } from '../model.js';
import { DEFAULT_BODY_LIMITS, type BodyLimits } from './body.js';

export interface SandboxOptions {
  /** An estate, or the path of an estate YAML file. Default: the demo estate. */
  estate?: Estate | string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the sandbox accepts any estate credentials, so it stays off the network unless asked. */
  host?: string;
  /** Overrides the estate's own `faults`. */
  faults?: Partial<GlobalFaults>;
  /** Largest request bodies kept (default DEFAULT_BODY_LIMITS); tests lower them. */
  bodyLimits?: Partial<BodyLimits>;
}

/** The options with every default filled in, the estate loaded and its faults ready to inject. */
export interface ResolvedOptions {
  estate: Estate;
  faults: FaultInjector;
  port: number;
  host: string;
  bodyLimits: BodyLimits;
}

export function resolveOptions(opts: SandboxOptions): ResolvedOptions {
  const estate = typeof opts.estate === 'object' ? opts.estate : loadEstate(opts.estate ?? demoEstatePath());
  const faults = new FaultInjector({ ...estate.faults, ...opts.faults });
  estate.faults = faults.current;
  return {
    estate,
    faults,
    port: opts.port ?? 0,
    host: opts.host ?? '127.0.0.1',
    bodyLimits: { ...DEFAULT_BODY_LIMITS, ...opts.bodyLimits },
  };
}
