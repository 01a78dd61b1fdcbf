/** The shared kafkajs client of a service. */
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
