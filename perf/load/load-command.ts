import type { Command } from 'commander';
import { formatSummary, summaryPathFor } from './load-summary';
import { loadFlagDefaults, parseLoadFlags, LoadFlagsError } from './load-options';
import { runLoad } from './run-load';
import { sloExitCode } from './slo';

/**
 * Mount `load` on a commander program (`npx nethical load …`). The action sets
 * `process.exitCode`: 0 when the SLOs hold, 2 when one is missed, 1 on bad flags or a crash.
 */
export function registerLoadCommand(program: Command): Command {
  return program
    .command('load')
    .description(
      'Open-loop load against the gateway: fixed arrival schedule, latency from scheduled start',
    )
    .option(
      '--endpoint <url>',
      'gateway base URL (http: or the full /process_action URL)',
      loadFlagDefaults.endpoint,
    )
    .option('--protocol <p>', 'http | grpc | connect', loadFlagDefaults.protocol)
    .option(
      '--agents <n>',
      'distinct agents (load-agent-<n>), used round-robin',
      loadFlagDefaults.agents,
    )
    .option(
      '--tenants <n>',
      'spread the agents over n tenants (load-tenant-<agent mod n>); 0: no tenant_id',
      loadFlagDefaults.tenants,
    )
    .option('--rps <n>', 'target arrival rate per second', loadFlagDefaults.rps)
    .option('--duration <d>', 'measured phase: 60, 90s, 2m', loadFlagDefaults.duration)
    .option('--warmup <d>', 'unrecorded warm-up at the same rate', loadFlagDefaults.warmup)
    .option(
      '--connections <n>',
      'HTTP keep-alive / HTTP/2 connections',
      loadFlagDefaults.connections,
    )
    .option(
      '--mix <mix>',
      'action mix benign=,tool=,pii=,attack= (normalised)',
      loadFlagDefaults.mix,
    )
    .option('--seed <n>', 'seed of the action texts (random when omitted)')
    .option(
      '--max-in-flight <n>',
      'outstanding requests cap; arrivals over it are dropped and counted as errors',
      loadFlagDefaults.maxInFlight,
    )
    .option('--timeout-ms <n>', 'per-request timeout', loadFlagDefaults.timeoutMs)
    .option('--output <file.csv>', 'per-request CSV; the summary goes to <file>.summary.json')
    .option('--slo-p99-ms <ms>', 'fail (exit 2) when p99 latency exceeds this')
    .option(
      '--slo-error-rate <fraction>',
      'fail (exit 2) when the error rate exceeds this (0.01 = 1 %)',
    )
    .option('--api-key <key>', 'gateway API key (default: $NETHICAL_LOAD_API_KEY)')
    .option('--quiet', 'no progress line')
    .action(async (flags: Record<string, unknown>) => {
      try {
        const config = parseLoadFlags({ ...flags, quiet: undefined });
        const summary = await runLoad(config, flags.quiet ? { progress: null } : {});
        process.stdout.write(`${formatSummary(summary)}\n`);
        if (config.output)
          process.stdout.write(
            `CSV: ${config.output}\nsummary: ${summaryPathFor(config.output)}\n`,
          );
        process.exitCode = sloExitCode(summary.slo);
      } catch (error) {
        process.stderr.write(
          `${error instanceof LoadFlagsError ? error.message : String((error as Error)?.stack ?? error)}\n`,
        );
        process.exitCode = 1;
      }
    });
}
