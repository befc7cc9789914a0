export interface LeasesTable {
  /** What is leased: a background duty such as `retention`, one name per duty. */
  name: string;
  holder: string;
  until: number;
}

export interface LeasesTables {
  leases: LeasesTable;
}
