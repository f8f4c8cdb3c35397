using MigrationPortal.Domain.Requests;
using static MigrationPortal.Domain.Requests.ItinerarySteps;

namespace MigrationPortal.Application.Execution.Itinerary;

/// <summary>
/// An itinerary as data: which steps, in which order, for which (source kind, destination kind, migration kind). A null
/// key part matches any. The catalog picks the most specific definition that matches a plan, the last registered among
/// equals, so a release (or a test) adds an itinerary, a VMware-to-KVM conversion say, by registering one more definition
/// and its steps, without touching the runner.
/// </summary>
public sealed record ItineraryDefinition(
    string Name,
    string? SourceKind,
    string? DestinationKind,
    MigrationKind? Kind,
    IReadOnlyList<string> Steps,
    IReadOnlyList<string> CleanUpSteps)
{
    /// <summary>A move within one connection, for every kind: Forklift's precheck, snapshot, encryption, transfer, verify, clean up.</summary>
    public static readonly ItineraryDefinition WithinOneConnection = new("move within one connection", null, null, null,
        [Precheck, Snapshot, EnforceEncryption, Transfer, Verify],
        [CleanUp, CleanUpLeftovers]);

    /// <summary>
    /// A cold VMware-to-KVM conversion (Forklift's cold itinerary): the source is read, never written, and a clean-up that
    /// either commits (source left off and annotated) or rolls back (what was made removed, the source on again).
    /// </summary>
    public static readonly ItineraryDefinition VmwareToKvm = new("VMware to KVM conversion", "vsphere", "libvirt", MigrationKind.CrossPlatform,
        [Precheck, ConfirmEncryption, StorePowerState, ShutDown, Export, CopyDisks, ConvertGuest, DefineDomain, FirstBoot],
        [CommitOrRollBack]);

    public bool Matches(string sourceKind, string destinationKind, MigrationKind kind) =>
        (SourceKind is null || string.Equals(SourceKind, sourceKind, StringComparison.OrdinalIgnoreCase))
        && (DestinationKind is null || string.Equals(DestinationKind, destinationKind, StringComparison.OrdinalIgnoreCase))
        && (Kind is null || Kind == kind);

    /// <summary>How many key parts the definition names; the catalog prefers the most specific.</summary>
    public int Specificity => (SourceKind is null ? 0 : 1) + (DestinationKind is null ? 0 : 1) + (Kind is null ? 0 : 1);
}
