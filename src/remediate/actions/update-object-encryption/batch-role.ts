/**
 * The role an S3 Batch Operations job runs as (--role-arn) must belong to the account the job is created in.
 *
 * Whoever creates the job passes the role to Batch Operations: "The same entity that creates the job must
 * also have the iam:PassRole permission to pass the IAM role that's specified for the job to Batch
 * Operations" (S3 User Guide, "Granting permissions for Batch Operations",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-iam-role-policies.html), and "You can only
 * use the PassRole permission to pass an IAM role to a service that shares the same AWS account. To pass a
 * role in Account A to a service in Account B, you must first create an IAM role in Account B that can
 * assume the role from Account A, and then the role in Account B can be passed to the service" (IAM User
 * Guide, "Grant a user permissions to pass a role to an AWS service",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html).
 * So a role of another account is refused before anything is uploaded or created, not left for AWS to fail
 * part-way through (or, worse, for a job to run as a role of an account that does not own the objects). Pure.
 */
/** The account of an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME), undefined for anything else. */
export const roleAccountOf = (roleArn: string): string | undefined => /^arn:aws[a-z-]*:iam::(\d{12}):role\//.exec(roleArn)?.[1];

/**
 * Why `roleArn` cannot run jobs created in `jobAccounts` (each job must be of the role's account), or
 * undefined. With `some`, it is enough that one of them is the role's (the accounts a run may plan for,
 * known before the plan); with `every`, each is a job's account and must be the role's.
 */
export function batchRoleProblem(roleArn: string, jobAccounts: readonly string[], need: 'some' | 'every'): string | undefined {
  const roleAccount = roleAccountOf(roleArn);
  const accounts = [...new Set(jobAccounts)].sort();
  const others = accounts.filter((a) => a !== roleAccount);
  const refused = need === 'every' ? others.length > 0 : accounts.length > 0 && others.length === accounts.length;
  if (!refused) return undefined;
  const where = `${others.length === 1 ? 'account' : 'accounts'} ${others.join(', ')}`;
  return (
    `--role-arn ${roleArn} is a role of account ${roleAccount ?? '(none)'}, but the S3 Batch Operations jobs would be created in ${where}: ` +
    "a job runs as a role the creating account passes to Batch Operations (iam:PassRole), and a role can be passed only to a service of its own account. " +
    `Give a role of the jobs' account (one --batch run per account; --assume-role and --policies narrow a run).`
  );
}
