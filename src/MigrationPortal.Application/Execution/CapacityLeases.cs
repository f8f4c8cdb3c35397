using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Execution;

/// <summary>
/// The concurrency limits as a database-backed semaphore shared by every portal node. A migration about to start claims
/// units of each resource it uses (source and target host, datastores by cost, connection, global) as
/// <see cref="CapacitySlot"/> rows whose primary key is (resource, unit) with unit below the limit. The rows are added to
/// the same unit of work that moves the request to Scheduled, so the claim and the state change commit together, and two
/// nodes claiming the same unit make the second save fail on the key instead of exceeding the limit. Rows are deleted once
/// the request no longer runs.
/// </summary>
public sealed class CapacityLeases(IPortalDb db, IConnectorKinds kinds)
{
    /// <summary>States in which a request holds its slots.</summary>
    public static readonly RequestState[] HoldingStates = RequestTransitions.HoldingCapacity.ToArray();

    private LimitTable? _limits;

    public async Task<LimitTable> LimitsAsync(CancellationToken ct) =>
        _limits ??= new LimitTable(await db.ConcurrencyLimits.AsNoTracking().ToListAsync(ct), kinds);

    /// <summary>Frees the slots of requests that finished, failed, were cancelled or vanished, whichever node ran them.</summary>
    public Task<int> ReleaseFinishedAsync(CancellationToken ct) =>
        db.CapacitySlots.Where(s => !db.Requests.Any(r => r.Id == s.RequestId && HoldingStates.Contains(r.State))).ExecuteDeleteAsync(ct);

    /// <summary>
    /// What a move takes: the portal-wide and per-connection slots, and whatever its kind's descriptor says it takes on hosts
    /// and datastores, against that kind's limit rows. A move to another connection (a conversion) asks each side's
    /// descriptor about its own side only, so the target host is counted on the destination connection, against the
    /// destination kind's limits, and a connection slot is taken on both.
    /// </summary>
    public IReadOnlyList<ResourceDemand> DemandsOf(MigrationRequest request, InventoryVm? vm, Connection connection, LimitTable limits, Connection? destination = null)
    {
        var demands = new List<ResourceDemand>
        {
            new("global", "the portal-wide limit", 1, limits.Value(PortalLimits.Kind, PortalLimits.Global)),
            new($"connection:{connection.Id}", $"connection {connection.Name}", 1, limits.Value(PortalLimits.Kind, PortalLimits.PerConnection)),
        };
        var kind = connection.Kind;
        if (destination is null || destination.Id == connection.Id)
        {
            demands.AddRange(kinds.Get(kind).DemandsOf(new MoveDemand(request, vm, connection), resource => limits.Value(kind, resource)));
        }
        else
        {
            demands.AddRange(kinds.Get(kind).DemandsOf(new MoveDemand(request, vm, connection, MoveSide.Source), resource => limits.Value(kind, resource)));
            demands.Add(new($"connection:{destination.Id}", $"connection {destination.Name}", 1, limits.Value(PortalLimits.Kind, PortalLimits.PerConnection)));
            var destinationKind = destination.Kind;
            demands.AddRange(kinds.Get(destinationKind).DemandsOf(new MoveDemand(request, vm, destination, MoveSide.Destination), resource => limits.Value(destinationKind, resource)));
        }

        // A resource named twice (the same host as source and target of a storage move) is one demand of the summed units.
        return demands.GroupBy(d => d.Resource).Select(g => g.First() with { Units = g.Sum(d => d.Units) }).ToList();
    }

    /// <summary>
    /// Adds slot rows for every demand to the unit of work, or returns why the request must wait, as the person sees it:
    /// "Queued: waiting for host esx-01 (8/8 in use)". Nothing is added when any resource is short.
    /// </summary>
    public async Task<string?> TryClaimAsync(MigrationRequest request, InventoryVm? vm, Connection connection, DateTimeOffset now, CancellationToken ct, Connection? destination = null)
    {
        var demands = DemandsOf(request, vm, connection, await LimitsAsync(ct), destination);
        var keys = demands.Select(d => d.Resource).ToList();
        var held = (await db.CapacitySlots.AsNoTracking().Where(s => keys.Contains(s.Resource)).Select(s => new { s.Resource, s.Unit }).ToListAsync(ct))
            .ToLookup(s => s.Resource, s => s.Unit);
        var claims = new List<CapacitySlot>();
        foreach (var demand in demands)
        {
            var used = held[demand.Resource].ToHashSet();
            var free = Enumerable.Range(0, demand.Limit).Where(u => !used.Contains(u)).Take(demand.Units).ToList();
            if (free.Count < demand.Units || used.Count + demand.Units > demand.Limit)
                return $"Queued: waiting for {demand.Label} ({used.Count}/{demand.Limit} in use).";
            claims.AddRange(free.Select(u => new CapacitySlot(demand.Resource, demand.Label, u, request.Id, now)));
        }

        db.CapacitySlots.AddRange(claims);
        return null;
    }
}
