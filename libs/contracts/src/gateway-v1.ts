/** The `nethical.gateway.v1` package: one namespace over its proto files. */
export * from './gen/nethical/gateway/v1/gateway_pb';
export * from './gen/nethical/gateway/v1/operations_pb';
