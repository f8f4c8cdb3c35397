using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Application.Evacuation;

/// <summary>
/// A host as the hosts list shows it, with how many VMs the portal believes still run on it. <paramref name="ExternalId"/> is
/// the hypervisor's own ID (vSphere "host-42", libvirt's URI), the one a request's TargetHostId takes.
/// </summary>
public sealed record HostSummary(Guid Id, string Name, string? ClusterName, Guid ConnectionId, string ConnectionName, bool IsDemo, string ConnectionState, PowerState PowerState,
    bool InMaintenance, long MemoryMb, long MemoryUsedMb, int VmCount, string ExternalId = "");

/// <summary>One way to move a VM to one target host: compute only where the host mounts the VM's datastores, else with its storage.</summary>
public sealed record EvacuationChoice(string TargetHostId, string TargetHostName, string? ClusterName, bool SameCluster, MigrationKind Kind, string? TargetDatastoreId, string? TargetDatastoreName);

/// <summary>A VM on the host and the move proposed for it (null when no compatible host has room), with every compatible alternative.</summary>
public sealed record EvacuationMove(Guid VmId, string VmName, PowerState PowerState, long MemoryMb, long ProvisionedGb, string Datastores, bool Live,
    EvacuationChoice? Proposed, IReadOnlyList<EvacuationChoice> Choices, string? Note);

/// <summary>
/// A host that can take VMs: its memory, what it used at the last sync, what other requests already promised it
/// (<see cref="CommittedMb"/>), and what this proposal adds.
/// </summary>
public sealed record EvacuationTarget(string ExternalId, string Name, string? ClusterName, long MemoryMb, long MemoryUsedMb, long ProposedMb, long CommittedMb = 0)
{
    public long FreeMb => MemoryMb - MemoryUsedMb - CommittedMb;
}

/// <summary>A VM on the host that already has an active request; it is not proposed again.</summary>
public sealed record EvacuationInFlight(Guid VmId, string VmName, Guid RequestId, RequestState State, string? Target);

/// <param name="Windows">
/// The maintenance windows and blackouts that cover a VM on the host: when any window does, those VMs move only inside one,
/// so the page offers the wizard's schedule choices (null: none given, as before).
/// </param>
public sealed record EvacuationProposal(HostSummary Host, IReadOnlyList<EvacuationMove> Moves, IReadOnlyList<EvacuationTarget> Targets, IReadOnlyList<EvacuationInFlight> InFlight,
    Scheduling.CalendarPeriods? Windows = null)
{
    /// <summary>True when no VM runs on the host any more: it can go into maintenance.</summary>
    public bool IsEmpty => Host.VmCount == 0;
}
