-- Pre-account hijacking through a provider e-mail (issue 15): whether the provider vouched for
-- the e-mail of a federated identity (an address on a mailbox the provider hosts itself), so
-- identity can tell a link whose e-mail proves nothing. Existing links keep false: nothing
-- recorded that their provider vouched, and identity also accepts the provider's word given
-- again at login (services/identity/src/federated/flow.ts), so their owners are not shut out.
-- AlterTable
ALTER TABLE "federated_identities" ADD COLUMN     "email_verified" BOOLEAN NOT NULL DEFAULT false;
