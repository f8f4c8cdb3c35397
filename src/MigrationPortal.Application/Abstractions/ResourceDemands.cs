using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Abstractions;

/// <summary>
/// Building blocks for a descriptor's <see cref="IConnectorDescriptor.DemandsOf"/>: the usual shapes of a hypervisor's
/// limits, named for what they count rather than for a vendor.
/// </summary>
public static class ResourceDemands
{
    /// <summary>One slot on each host the move touches, outgoing and incoming counted together (resource key <c>host</c>).</summary>
    public static IEnumerable<ResourceDemand> SharedPerHost(MoveDemand move, int limit)
    {
        if (move.SourceHost is { } source) yield return new(move.Scoped("host", source), $"host {move.SourceHostName}", 1, limit);
        if (move.TargetHost is { } target) yield return new(move.Scoped("host", target), $"host {move.TargetHostName}", 1, limit);
    }

    /// <summary>One outgoing slot on the source host (key <c>host-out</c>).</summary>
    public static IEnumerable<ResourceDemand> Outgoing(MoveDemand move, int limit)
    {
        if (move.SourceHost is { } source) yield return new(move.Scoped("host-out", source), $"host {move.SourceHostName} (outgoing)", 1, limit);
    }

    /// <summary>One incoming slot on the target host (key <c>host-in</c>).</summary>
    public static IEnumerable<ResourceDemand> Incoming(MoveDemand move, int limit)
    {
        if (move.TargetHost is { } target) yield return new(move.Scoped("host-in", target), $"host {move.TargetHostName} (incoming)", 1, limit);
    }

    /// <summary>
    /// A cost on every datastore the move reads or writes, out of a per-datastore budget (key <c>datastore</c>); a storage
    /// move costs more than a compute move because it copies the disks.
    /// </summary>
    public static IEnumerable<ResourceDemand> Datastores(MoveDemand move, int budget, int computeCost, int storageCost) =>
        move.Datastores.Select(s => new ResourceDemand(move.Scoped("datastore", s), $"datastore {s}", move.Request.Kind.MovesStorage() ? storageCost : computeCost, budget));
}
