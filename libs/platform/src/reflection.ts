/**
 * gRPC server reflection (v1 and v1alpha) for Connect services, so grpcurl and ghz work without
 * .proto files. Hand-written because no maintained package serves reflection from connect-node:
 * `@grpc/reflection` only plugs into @grpc/grpc-js servers and proto-loader definitions.
 *
 * A file descriptor response MUST list the requested file first, then the transitive
 * dependencies the stream has not been sent yet (as grpc-go does): grpcurl and ghz
 * (jhump/protoreflect) take the first descriptor as the answer, so dependencies first made
 * every service whose proto imports another file "Symbol not found".
 */
import {
  create,
  createRegistry,
  toBinary,
  type DescFile,
  type DescService,
} from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { ConnectRouter } from '@connectrpc/connect';
import { reflectionv1, reflectionv1alpha } from '@nethical/contracts';

type Request = reflectionv1.ServerReflectionRequest | reflectionv1alpha.ServerReflectionRequest;

/** Files in dependency order (dependencies first), each once. */
function withDependencies(
  file: DescFile,
  seen = new Set<string>(),
  out: DescFile[] = [],
): DescFile[] {
  if (seen.has(file.name)) return out;
  seen.add(file.name);
  for (const dep of file.dependencies) withDependencies(dep, seen, out);
  out.push(file);
  return out;
}

/** Answer one reflection request as a plain response init (shared by v1 and v1alpha). */
export function createReflectionResolver(services: DescService[]) {
  const files = new Map<string, DescFile>();
  for (const s of services) for (const f of withDependencies(s.file)) files.set(f.name, f);
  const registry = createRegistry(...files.values());
  const serviceNames = services.map((s) => s.typeName);

  const encoded = new Map<string, Uint8Array>();
  const encode = (file: DescFile): Uint8Array => {
    let bytes = encoded.get(file.name);
    if (!bytes) encoded.set(file.name, (bytes = toBinary(FileDescriptorProtoSchema, file.proto)));
    return bytes;
  };
  /** The requested file first, then its dependencies not yet sent on this stream. */
  const fileResponse = (file: DescFile, sent: Set<string>) => {
    const deps = withDependencies(file).filter((f) => f !== file && !sent.has(f.name));
    sent.add(file.name);
    for (const f of deps) sent.add(f.name);
    return {
      case: 'fileDescriptorResponse' as const,
      value: { fileDescriptorProto: [file, ...deps].map(encode) },
    };
  };
  const notFound = (what: string) => ({
    case: 'errorResponse' as const,
    value: { errorCode: 5, errorMessage: `${what} not found` },
  });

  function fileOfSymbol(symbol: string): DescFile | undefined {
    const direct = registry.get(symbol);
    if (direct && 'file' in direct) return direct.file;
    const dot = symbol.lastIndexOf('.');
    if (dot > 0) {
      const parent = registry.get(symbol.slice(0, dot));
      if (parent && 'file' in parent) return parent.file;
    }
    return undefined;
  }

  /** `sent`: files already sent on this stream (one set per reflection stream). */
  return function resolve(req: Request, sent: Set<string> = new Set()) {
    const r = req.messageRequest;
    switch (r.case) {
      case 'listServices':
        return {
          case: 'listServicesResponse' as const,
          value: { service: serviceNames.map((name) => ({ name })) },
        };
      case 'fileByFilename': {
        const file = files.get(r.value);
        return file ? fileResponse(file, sent) : notFound(`file ${r.value}`);
      }
      case 'fileContainingSymbol': {
        const file = fileOfSymbol(r.value);
        return file ? fileResponse(file, sent) : notFound(`symbol ${r.value}`);
      }
      case 'fileContainingExtension':
        return notFound(`extension ${r.value.containingType}:${r.value.extensionNumber}`);
      case 'allExtensionNumbersOfType':
        return {
          case: 'allExtensionNumbersResponse' as const,
          value: { baseTypeName: r.value, extensionNumber: [] },
        };
      default:
        return {
          case: 'errorResponse' as const,
          value: { errorCode: 3, errorMessage: 'empty request' },
        };
    }
  };
}

/** Register both reflection services on a router, describing `services`. */
export function registerReflection(router: ConnectRouter, services: DescService[]): void {
  const resolve = createReflectionResolver(services);
  router.service(reflectionv1.ServerReflection, {
    async *serverReflectionInfo(requests) {
      const sent = new Set<string>();
      for await (const req of requests) {
        yield create(reflectionv1.ServerReflectionResponseSchema, {
          validHost: req.host,
          originalRequest: req,
          messageResponse: resolve(req, sent),
        });
      }
    },
  });
  router.service(reflectionv1alpha.ServerReflection, {
    async *serverReflectionInfo(requests) {
      const sent = new Set<string>();
      for await (const req of requests) {
        yield create(reflectionv1alpha.ServerReflectionResponseSchema, {
          validHost: req.host,
          originalRequest: req,
          messageResponse: resolve(req, sent),
        });
      }
    },
  });
}
