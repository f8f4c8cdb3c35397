namespace MigrationPortal.Domain.Requests;

/// <summary>
/// The names of the itinerary's steps, stated once: the step objects, the request's step rows, the audit trail and the
/// pages all use these. A name is stored on a request's step rows, so a step keeps its name across releases.
/// </summary>
public static class ItinerarySteps
{
    public const string Precheck = "precheck";
    public const string Snapshot = "snapshot";
    public const string EnforceEncryption = "enforce-encryption";
    public const string Transfer = "transfer";
    public const string Verify = "verify";
    public const string CleanUp = "clean-up";
    public const string CleanUpLeftovers = "clean-up-leftovers";

    /// <summary>An Operator's roll back of a finished or failed move: its own row, so the request shows what the undo did.</summary>
    public const string RollBack = "roll-back";

    // A VMware-to-KVM conversion (Forklift's cold itinerary): the source is read, never written.
    public const string ConfirmEncryption = "confirm-encryption";
    public const string StorePowerState = "store-power-state";
    public const string ShutDown = "shut-down";
    public const string Export = "export";
    public const string CopyDisks = "copy-disks";
    public const string ConvertGuest = "convert-guest";
    public const string DefineDomain = "define-domain";
    public const string FirstBoot = "first-boot";
    public const string CommitOrRollBack = "commit-or-roll-back";
}
