import { Injectable } from '@nestjs/common';
import { lookup } from 'node:dns';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Name resolution for the SSRF guard; a port so tests can make any name resolve anywhere. */
export abstract class HostResolver {
  /** Every address of `hostname`, as the operating system's resolver gives them. */
  abstract resolveAll(hostname: string): Promise<ResolvedAddress[]>;
}

@Injectable()
export class DnsHostResolver extends HostResolver {
  resolveAll(hostname: string): Promise<ResolvedAddress[]> {
    return new Promise((resolve, reject) => {
      lookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
    });
  }
}
