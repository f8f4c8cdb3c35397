using MigrationPortal.Application.Execution.Itinerary;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using static MigrationPortal.Domain.Requests.ItinerarySteps;

namespace MigrationPortal.Infrastructure.Connectors.Demo;

/// <summary>The itineraries the demo kind adds to the catalog.</summary>
public static class DemoItineraries
{
    /// <summary>
    /// A VMware → KVM conversion between the two demo worlds: the real conversion's steps, in its order, run against the
    /// demo connector (the demo vCenter-like connection as the source, the demo KVM connection as the destination).
    /// </summary>
    public static readonly ItineraryDefinition Conversion = new("VMware to KVM conversion (demo, simulated)", ConnectionKinds.Demo, ConnectionKinds.Demo, MigrationKind.CrossPlatform,
        [Precheck, ConfirmEncryption, StorePowerState, ShutDown, ItinerarySteps.Export, CopyDisks, ConvertGuest, DefineDomain, FirstBoot],
        [CommitOrRollBack]);
}
