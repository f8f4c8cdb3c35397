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
}
