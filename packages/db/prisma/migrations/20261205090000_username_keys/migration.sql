-- Lookalike usernames (issue 15): each account's username in its NFKC case fold and its UTS #39
-- confusable skeleton, each unique. SQL can compute neither the way identity does (Postgres has
-- no Unicode case folding, and the skeleton needs confusables.txt), so this migration only adds
-- the empty columns and their indexes, which cannot fail on any existing data, not even on
-- `alice` beside `Alice`. Identity fills them at start (services/identity/src/accounts/backfill.ts),
-- oldest account first: a later account whose form or skeleton an older one already holds keeps
-- them null, is logged, and signs in with its exact username only, until an operator renames it.
-- AlterTable
ALTER TABLE "accounts" ADD COLUMN     "username_normalised" TEXT,
ADD COLUMN     "username_skeleton" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "accounts_username_normalised_key" ON "accounts"("username_normalised");

-- CreateIndex
CREATE UNIQUE INDEX "accounts_username_skeleton_key" ON "accounts"("username_skeleton");
