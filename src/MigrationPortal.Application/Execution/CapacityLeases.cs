using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Execution;

/// <summary>One limited resource a migration needs: how many units, out of how many.</summary>
public sealed record ResourceDemand(string Resource, string Label, int Units, int Limit);

/// <summary>
/// The concurrency limits as a database-backed semaphore shared by every portal node. A migration about to start claims
/// units of each resource it uses (source and target host, datastores by cost, connection, global) as
/// <see cref="CapacitySlot"/> rows whose primary key is (resource, unit) with unit below the limit. The rows are added to
/// the same unit of work that moves the request to Scheduled, so the claim and the state change commit together, and two
/// nodes claiming the same unit make the second save fail on the key instead of exceeding the limit. Rows are deleted once
/// the request no longer runs.
/// </summary>
public sealed class CapacityLeases(IPortalDb db)
{
    /// <summary>States in which a request holds its slots.</summary>
    public static readonly RequestState[] HoldingStates = RequestTransitions.HoldingCapacity.ToArray();

    private ConcurrencyLimits? _limits;

    public async Task<ConcurrencyLimits> LimitsAsync(CancellationToken ct) =>
        _limits ??= await db.ConcurrencyLimits.AsNoTracking().FirstOrDefaultAsync(ct) ?? ConcurrencyLimits.Defaults();

    /// <summary>Frees the slots of requests that finished, failed, were cancelled or vanished, whichever node ran them.</summary>
    public Task<int> ReleaseFinishedAsync(CancellationToken ct) =>
        db.CapacitySlots.Where(s => !db.Requests.Any(r => r.Id == s.RequestId && HoldingStates.Contains(r.State))).ExecuteDeleteAsync(ct);

    public static IReadOnlyList<ResourceDemand> DemandsOf(MigrationRequest request, InventoryVm? vm, Connection connection, ConcurrencyLimits limits)
    {
        var c = connection.Id;
        var demands = new List<ResourceDemand>
        {
            new("global", "the portal-wide limit", 1, limits.Global),
            new($"connection:{c}", $"connection {connection.Name}", 1, limits.PerConnection),
        };
        var sourceHost = vm?.HostExternalId;
        var sourceName = request.SourceHostName ?? sourceHost;
        var kvm = connection.Kind == ConnectionKinds.Libvirt;
        if (request.Kind.MovesCompute())
        {
            if (kvm)
            {
                if (sourceHost is not null) demands.Add(new($"host-out:{c}:{sourceHost}", $"host {sourceName} (outgoing)", 1, limits.KvmOutgoingPerHost));
                if (request.Target.HostId is { } target) demands.Add(new($"host-in:{c}:{target}", $"host {request.Target.HostName ?? target} (incoming)", 1, limits.KvmIncomingPerHost));
            }
            else
            {
                // vSphere's per-host vMotion limit counts a host's outgoing and incoming migrations together.
                if (sourceHost is not null) demands.Add(new($"host:{c}:{sourceHost}", $"host {sourceName}", 1, limits.VSphereMigrationsPerHost));
                if (request.Target.HostId is { } target) demands.Add(new($"host:{c}:{target}", $"host {request.Target.HostName ?? target}", 1, limits.VSphereMigrationsPerHost));
            }
        }

        if (request.Kind.MovesStorage() && sourceHost is not null)
        {
            demands.Add(kvm
                ? new($"host-out:{c}:{sourceHost}", $"host {sourceName} (outgoing)", 1, limits.KvmOutgoingPerHost)
                : new($"host-storage:{c}:{sourceHost}", $"host {sourceName} (Storage vMotion)", 1, limits.VSphereStorageMigrationsPerHost));
        }

        var cost = request.Kind.MovesStorage() ? limits.StorageMigrationDatastoreCost : limits.ComputeMigrationDatastoreCost;
        var stores = (request.SourceDatastoreName ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (request.Target.DatastoreName is { } targetStore) stores.Add(targetStore);
        demands.AddRange(stores.Distinct().Select(s => new ResourceDemand($"datastore:{c}:{s}", $"datastore {s}", cost, limits.DatastoreBudget)));

        // A resource named twice (the same host as source and target of a storage move) is one demand of the summed units.
        return demands.GroupBy(d => d.Resource).Select(g => g.First() with { Units = g.Sum(d => d.Units) }).ToList();
    }

    /// <summary>
    /// Adds slot rows for every demand to the unit of work, or returns why the request must wait, as the person sees it:
    /// "Queued: waiting for host esx-01 (8/8 in use)". Nothing is added when any resource is short.
    /// </summary>
    public async Task<string?> TryClaimAsync(MigrationRequest request, InventoryVm? vm, Connection connection, DateTimeOffset now, CancellationToken ct)
    {
        var demands = DemandsOf(request, vm, connection, await LimitsAsync(ct));
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
