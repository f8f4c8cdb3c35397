namespace MigrationPortal.Domain.Requests;

public enum RequestState
{
    Draft,
    Submitted,
    PendingApproval,
    Approved,
    Rejected,
    Expired,
    Scheduled,
    Running,
    Verifying,
    Succeeded,
    Failed,
    Cancelled,
    RollingBack,
    RolledBack,
}
