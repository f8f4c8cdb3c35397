using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Requests;

/// <summary>
/// What <see cref="PrepareAsync"/> reads for many requests at once (a wave of a thousand rows), loaded in a fixed number
/// of queries instead of several per row. The checks and their words do not change: each row still goes through
/// <see cref="PrepareAsync"/>, which takes its answers from here when they were preloaded and asks the database otherwise.
/// The preloaded answers serve one unit of work (one scope); the unique index on active requests still decides a race at save.
/// </summary>
public sealed partial class SubmitRequest
{
    private Preloaded? _preloaded;
    // Whether a batch exists does not change within one unit of work; a wave asks it once per row otherwise, and
    // db.Batches.Local runs DetectChanges over every entity the unit of work tracks each time it is read.
    private readonly HashSet<Guid> _knownBatches = [];

    /// <summary>
    /// Loads, in a bounded number of queries, the VMs, their connections and applications, the named target hosts and
    /// datastores, the VMs' active requests, the user's applications and the approval rules that <see cref="PrepareAsync"/>
    /// needs for <paramref name="commands"/>. Call before preparing them in the same scope.
    /// </summary>
    public async Task PreloadAsync(PortalUser user, IReadOnlyCollection<Command> commands, CancellationToken ct)
    {
        var vmIds = commands.Select(c => c.VmId).Distinct().ToList();
        // Tracked, as the single-request path reads them, so the requests and audit records reference the same instances.
        var vms = await db.Vms.Where(v => vmIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, ct);
        var connectionIds = vms.Values.Select(v => v.ConnectionId).Distinct().ToList();
        var connections = await db.Connections.Where(c => connectionIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var applicationIds = vms.Values.Select(v => v.ApplicationId).OfType<Guid>().Distinct().ToList();
        var applications = await db.Applications.Where(a => applicationIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);

        var hostTexts = Texts(commands.Select(c => c.TargetHostId));
        var hostIds = PortalIds(hostTexts);
        var hosts = hostTexts.Count == 0 ? [] : await db.Hosts.AsNoTracking()
            .Where(h => connectionIds.Contains(h.ConnectionId) && (hostTexts.Contains(h.ExternalId) || hostIds.Contains(h.Id)))
            .Select(h => new Named(h.Id, h.ConnectionId, h.ExternalId, h.Name)).ToListAsync(ct);
        var storeTexts = Texts(commands.Select(c => c.TargetDatastoreId));
        var storeIds = PortalIds(storeTexts);
        var stores = storeTexts.Count == 0 ? [] : await db.Datastores.AsNoTracking()
            .Where(d => connectionIds.Contains(d.ConnectionId) && (storeTexts.Contains(d.ExternalId) || storeIds.Contains(d.Id)))
            .Select(d => new Named(d.Id, d.ConnectionId, d.ExternalId, d.Name)).ToListAsync(ct);

        var active = RequestLoading.ActiveStates;
        var activeRequests = (await db.Requests.AsNoTracking().Where(r => vmIds.Contains(r.VmId) && active.Contains(r.State))
                .Select(r => new { r.VmId, r.Id, r.State }).ToListAsync(ct))
            .GroupBy(r => r.VmId).ToDictionary(g => g.Key, g => (g.First().Id, g.First().State));

        // Administrators may request any VM and need no ownership; a requester's applications are read once, not per row.
        var owned = user.IsIn(Roles.Administrator) || !user.IsIn(Roles.Requester) ? null : await guard.OwnedApplicationIdsAsync(user, ct);
        var rules = await db.ApprovalRules.ToListAsync(ct);
        _preloaded = new Preloaded(user.Id, vmIds.ToHashSet(), vms, connections, applications, hosts.ToLookup(h => h.ConnectionId), stores.ToLookup(s => s.ConnectionId),
            activeRequests, owned, rules);
    }

    /// <summary>Drops the preloaded answers, so later requests in this scope read the database again.</summary>
    public void ForgetPreload() => _preloaded = null;

    private static List<string> Texts(IEnumerable<string?> values) =>
        values.Where(v => !string.IsNullOrWhiteSpace(v) && TextRules.Fits(v, TextLimits.ExternalId)).Select(v => v!).Distinct(StringComparer.Ordinal).ToList();

    private static List<Guid> PortalIds(IEnumerable<string> texts) => texts.Select(t => Guid.TryParse(t, out var g) ? g : (Guid?)null).OfType<Guid>().ToList();

    private Preloaded? For(Guid vmId) => _preloaded is { } p && p.VmIds.Contains(vmId) ? p : null;

    private async Task<InventoryVm?> FindVmAsync(Guid vmId, CancellationToken ct) =>
        For(vmId) is { } p ? p.Vms.GetValueOrDefault(vmId) : await db.Vms.FirstOrDefaultAsync(v => v.Id == vmId, ct);

    private async Task RequireCanRequestForAsync(PortalUser user, InventoryVm vm, CancellationToken ct)
    {
        // The preloaded answer only ever lets a request through; a refusal goes through the guard, which audits it.
        if (For(vm.Id) is { } p && p.UserId == user.Id
            && (user.IsIn(Roles.Administrator) || (user.IsIn(Roles.Requester) && vm.ApplicationId is { } app && p.OwnedApplications is { } owned && owned.Contains(app))))
            return;
        await guard.RequireCanRequestForAsync(user, vm, ct);
    }

    private async Task<Connection> ConnectionOfAsync(InventoryVm vm, CancellationToken ct) =>
        For(vm.Id) is { } p && p.Connections.TryGetValue(vm.ConnectionId, out var connection)
            ? connection
            : await db.Connections.FirstAsync(c => c.Id == vm.ConnectionId, ct);

    /// <summary>
    /// The hosts of the VM's connection that <paramref name="text"/> names, by hypervisor ID or portal ID: at most two, since
    /// one is an answer and two are an ambiguity (a hypervisor ID may itself be a UUID that is another host's portal ID).
    /// </summary>
    private async Task<IReadOnlyList<InventoryRef>> FindHostsAsync(InventoryVm vm, string text, CancellationToken ct)
    {
        var portalId = Guid.TryParse(text, out var parsed) ? parsed : (Guid?)null;
        if (For(vm.Id) is { } p)
            return p.Hosts[vm.ConnectionId].Where(h => h.ExternalId == text || h.Id == portalId).Select(h => new InventoryRef(h.ExternalId, h.Name)).Take(2).ToList();
        return await db.Hosts.Where(h => h.ConnectionId == vm.ConnectionId && (h.ExternalId == text || h.Id == portalId))
            .Select(h => new InventoryRef(h.ExternalId, h.Name)).Take(2).ToListAsync(ct);
    }

    /// <summary>The datastores of the VM's connection that <paramref name="text"/> names, as <see cref="FindHostsAsync"/>.</summary>
    private async Task<IReadOnlyList<InventoryRef>> FindDatastoresAsync(InventoryVm vm, string text, CancellationToken ct)
    {
        var portalId = Guid.TryParse(text, out var parsed) ? parsed : (Guid?)null;
        if (For(vm.Id) is { } p)
            return p.Stores[vm.ConnectionId].Where(d => d.ExternalId == text || d.Id == portalId).Select(d => new InventoryRef(d.ExternalId, d.Name)).Take(2).ToList();
        return await db.Datastores.Where(d => d.ConnectionId == vm.ConnectionId && (d.ExternalId == text || d.Id == portalId))
            .Select(d => new InventoryRef(d.ExternalId, d.Name)).Take(2).ToListAsync(ct);
    }

    /// <summary>The one item found, or null with the error on <paramref name="field"/> when none or two are.</summary>
    private static InventoryRef? Single(IReadOnlyList<InventoryRef> found, string what, string list, string field, Validation check)
    {
        if (found.Count == 1) return found[0];
        check.Add(field, found.Count == 0
            ? $"That {what} is not in this VM's inventory."
            : $"That ID names two {what}s of this VM's connection ({found[0].Name} and {found[1].Name}): the hypervisor ID of one is the portal ID of the other. Send the portal ID ('id') from {list}.");
        return null;
    }

    private async Task<bool> BatchExistsAsync(Guid batchId, CancellationToken ct)
    {
        if (_knownBatches.Contains(batchId)) return true;
        var exists = db.Batches.Local.Any(b => b.Id == batchId) || await db.Batches.AnyAsync(b => b.Id == batchId, ct);
        if (exists) _knownBatches.Add(batchId);
        return exists;
    }

    private async Task<(Guid Id, RequestState State)?> ActiveRequestOfAsync(Guid vmId, CancellationToken ct)
    {
        if (For(vmId) is { } p) return p.ActiveRequests.TryGetValue(vmId, out var found) ? found : null;
        var active = RequestLoading.ActiveStates;
        var existing = await db.Requests.AsNoTracking().Where(r => r.VmId == vmId && active.Contains(r.State)).Select(r => new { r.Id, r.State }).FirstOrDefaultAsync(ct);
        return existing is null ? null : (existing.Id, existing.State);
    }

    private async Task<Domain.Inventory.Application?> ApplicationOfAsync(InventoryVm vm, CancellationToken ct) =>
        vm.ApplicationId is not { } id ? null
        : For(vm.Id) is { } p ? p.Applications.GetValueOrDefault(id)
        : await db.Applications.FirstOrDefaultAsync(a => a.Id == id, ct);

    private async Task<List<ApprovalRule>> ApprovalRulesAsync(Guid vmId, CancellationToken ct) =>
        For(vmId) is { } p ? p.Rules : await db.ApprovalRules.ToListAsync(ct);

    private sealed record Named(Guid Id, Guid ConnectionId, string ExternalId, string Name);

    private sealed record Preloaded(
        string UserId,
        HashSet<Guid> VmIds,
        Dictionary<Guid, InventoryVm> Vms,
        Dictionary<Guid, Connection> Connections,
        Dictionary<Guid, Domain.Inventory.Application> Applications,
        ILookup<Guid, Named> Hosts,
        ILookup<Guid, Named> Stores,
        Dictionary<Guid, (Guid Id, RequestState State)> ActiveRequests,
        HashSet<Guid>? OwnedApplications,
        List<ApprovalRule> Rules);
}
