/**
 * benih.yaml's training section for one region, cn-north, where only H20s are allowed and the cn dataset (with
 * personal information) lives: what most control-plane tests need, with their own heartbeat timeout.
 */
export const cnNorthTraining = (heartbeatTimeoutSeconds: number) => `
training:
  heartbeatTimeoutSeconds: ${heartbeatTimeoutSeconds}
  agents:
    - { region: cn-north, token: agent-token-cn-north-0001 }
  datasets:
    - { id: cn-chat, market: cn, region: cn-north, source: cn, flags: [personal-information] }
  rules:
    accelerators:
      - { regions: [cn-north], allow: [H20], effective: "2023-10-17", source: "US export controls, 2023-10-17" }
    preference: [cn-north]
`;
