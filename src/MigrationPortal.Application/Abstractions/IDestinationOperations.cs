namespace MigrationPortal.Application.Abstractions;

/// <summary>
/// The connector's operations on the side the VM arrives at: verification, and the clean-up of what a move leaves behind.
/// A conversion between kinds adds import and define here.
/// </summary>
public interface IDestinationOperations
{
    /// <summary>Checks that the VM is running where the plan put it.</summary>
    Task<VerificationResult> VerifyAsync(MigrationPlan plan, CancellationToken ct);

    /// <summary>
    /// Removes, or keeps per the connector's retention setting, the disk files a move left behind: the source copy after a
    /// storage move that succeeded, or the copy pre-created on the destination for one that failed or was cancelled.
    /// Reports what it found and which it did; "nothing left behind" is a report too.
    /// </summary>
    Task<CleanupReport> RemoveLeftoversAsync(MigrationPlan plan, MoveEnding ending, CancellationToken ct);
}
