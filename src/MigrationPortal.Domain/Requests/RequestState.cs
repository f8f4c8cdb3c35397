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

    /// <summary>The run stopped because the hypervisor could not say whether the transfer started; an Operator checks again.</summary>
    NeedsAttention,
}
