import { createClient, type Client, type Interceptor } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-web';
import { gatewayv1 } from '@nethical/contracts';
import type { Settings } from './settings';

/** The gateway's three public services, as generated Connect-web clients. */
export interface Clients {
  governance: Client<typeof gatewayv1.GovernanceService>;
  admin: Client<typeof gatewayv1.AdminService>;
  operations: Client<typeof gatewayv1.OperationsService>;
}

/**
 * Connect protocol with JSON bodies (readable in the browser's network panel) to `baseUrl`.
 * The admin key, when set, is sent on every call (operator calls need it and it also passes the
 * agent check); otherwise the API key.
 */
export function createClients(baseUrl: string, settings: () => Settings): Clients {
  const auth: Interceptor = (next) => async (req) => {
    const s = settings();
    const key = s.adminKey || s.apiKey;
    if (key) req.header.set('authorization', `Bearer ${key}`);
    return next(req);
  };
  const transport = createConnectTransport({
    baseUrl,
    interceptors: [auth],
    useBinaryFormat: false,
  });
  return {
    governance: createClient(gatewayv1.GovernanceService, transport),
    admin: createClient(gatewayv1.AdminService, transport),
    operations: createClient(gatewayv1.OperationsService, transport),
  };
}
