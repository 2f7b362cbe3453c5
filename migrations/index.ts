import { Foundation1763856000000 } from './1763856000000-foundation';
import { EventOutbox1763856500000 } from './1763856500000-event-outbox';
import { WebhooksAndJobs1763856500001 } from './1763856500001-webhooks-and-jobs';
import { Customers1763857000000 } from './1763857000000-customers';
import { CustomerProfiles1763857000001 } from './1763857000001-customer-profiles';
import { TransactionsLoyalty1763858000000 } from './1763858000000-transactions-loyalty';
import { Feedback1763859000000 } from './1763859000000-feedback';
import { Surveys1763859100000 } from './1763859100000-surveys';
import { FeedbackFollowUp1763859200000 } from './1763859200000-feedback-follow-up';
import { Segments1763861000000 } from './1763861000000-segments';
import { Consent1763860000000 } from './1763860000000-consent';
import { AuditLog1763860100000 } from './1763860100000-audit-log';
import { PrivacyRequests1763860200000 } from './1763860200000-privacy-requests';
import { Imports1763862000000 } from './1763862000000-imports';
import { IdentityGraph1763863000000 } from './1763863000000-identity-graph';
import { CustomerSearch1763864000000 } from './1763864000000-customer-search';
import { RfmWritePath1763864500000 } from './1763864500000-rfm-write-path';
import { AuditWritePath1763865000000 } from './1763865000000-audit-write-path';
import { MembershipWritePath1763865500000 } from './1763865500000-membership-write-path';
import { ImportWritePath1763865800000 } from './1763865800000-import-write-path';
import { PostingWritePath1763865900000 } from './1763865900000-posting-write-path';
import { CustomerKeyCollation1763866000000 } from './1763866000000-customer-key-collation';
import { ItemWritePath1763866100000 } from './1763866100000-item-write-path';
import { PostingContext1763900500000 } from './1763900500000-posting-context';
import { WriteCheckOnce1763900500001 } from './1763900500001-write-check-once';
import { EventSeqTables1764000000000 } from './1764000000000-event-seq-tables';
import { IdentityWritePath1764000100000 } from './1764000100000-identity-write-path';
import { CustomerTenantKey1764000100001 } from './1764000100001-customer-tenant-key';

/**
 * Every migration, in order. Listed explicitly (not globbed) so the app, the CLI and the tests
 * run exactly the same set whether from TypeScript or compiled JavaScript.
 */
export const MIGRATIONS = [
  Foundation1763856000000,
  EventOutbox1763856500000,
  WebhooksAndJobs1763856500001,
  Customers1763857000000,
  CustomerProfiles1763857000001,
  TransactionsLoyalty1763858000000,
  Feedback1763859000000,
  Surveys1763859100000,
  FeedbackFollowUp1763859200000,
  Segments1763861000000,
  Consent1763860000000,
  AuditLog1763860100000,
  PrivacyRequests1763860200000,
  Imports1763862000000,
  IdentityGraph1763863000000,
  CustomerSearch1763864000000,
  RfmWritePath1763864500000,
  AuditWritePath1763865000000,
  MembershipWritePath1763865500000,
  ImportWritePath1763865800000,
  PostingWritePath1763865900000,
  CustomerKeyCollation1763866000000,
  ItemWritePath1763866100000,
  PostingContext1763900500000,
  WriteCheckOnce1763900500001,
  EventSeqTables1764000000000,
  IdentityWritePath1764000100000,
  CustomerTenantKey1764000100001,
];
