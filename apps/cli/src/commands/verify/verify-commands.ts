/**
 * `verify inclusion` and `verify consistency`: offline checks of proofs against signed
 * checkpoints, for anyone holding the log's verifier key. Register on the project CLI with
 * `registerVerifyCommands(program)`.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  verifyConsistencyOffline,
  verifyInclusionOffline,
  type OfflineResult,
} from './offline-verify';

/** Read a file, or standard input for `-` / no path. */
function readInput(path: string | undefined): string {
  return readFileSync(path === undefined || path === '-' ? 0 : path, 'utf8');
}

/** A key given inline (`name+id+key`) or as a path to a file holding it. */
function readKey(value: string): string {
  return !value.includes('+') && existsSync(value) ? readFileSync(value, 'utf8').trim() : value;
}

function report(result: OfflineResult, out: (line: string) => void): void {
  if (result.ok) {
    out(`OK ${result.summary}`);
  } else {
    out(`FAILED ${result.reason}`);
    process.exitCode = 1;
  }
}

/**
 * Add the `verify` command group to `program`. Exit code 1 on a failed verification.
 * @param out where result lines go (default stdout), for tests and embedding.
 */
export function registerVerifyCommands(
  program: Command,
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Command {
  const verify = program
    .command('verify')
    .description('verify Merkle proofs against signed checkpoints, offline');

  verify
    .command('inclusion')
    .description('check that a leaf is in the tree of a signed checkpoint')
    .option('--leaf-hash <base64>', 'RFC 6962 leaf hash of the record')
    .option('--leaf <base64>', 'the leaf bytes (canonical audit record), hashed here')
    .option('--index <n>', 'leaf index (must match the proof)')
    .option('--tree-size <n>', 'tree size (must match the proof and the checkpoint)')
    .option(
      '--proof <file>',
      'inclusion proof JSON {index, tree_size, leaf_hash, hashes}; - or omitted: stdin',
    )
    .requiredOption('--checkpoint <file>', 'signed checkpoint note')
    .requiredOption('--key <verifier key>', 'verifier key <name>+<id>+<key>, or a file holding it')
    .option('--origin <origin>', 'required checkpoint origin')
    .action((o: Record<string, string | undefined>) => {
      report(
        verifyInclusionOffline({
          checkpointNote: readInput(o.checkpoint),
          verifierKey: readKey(o.key!),
          proofJson: readInput(o.proof),
          leafHash: o.leafHash,
          leaf: o.leaf,
          index: o.index,
          treeSize: o.treeSize,
          origin: o.origin,
        }),
        out,
      );
    });

  verify
    .command('consistency')
    .description('check that a newer signed checkpoint extends an older one')
    .requiredOption('--old <file>', 'older signed checkpoint note')
    .requiredOption('--new <file>', 'newer signed checkpoint note')
    .option('--proof <file>', 'consistency proof JSON {first, second, hashes}; - or omitted: stdin')
    .requiredOption('--key <verifier key>', 'verifier key <name>+<id>+<key>, or a file holding it')
    .option('--origin <origin>', 'required checkpoint origin')
    .action((o: Record<string, string | undefined>) => {
      report(
        verifyConsistencyOffline({
          oldNote: readInput(o.old),
          newNote: readInput(o.new),
          verifierKey: readKey(o.key!),
          proofJson: readInput(o.proof),
          origin: o.origin,
        }),
        out,
      );
    });

  return verify;
}
