using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Application.Inventory;

/// <param name="ExternalId">The VM's hypervisor ID (vSphere "vm-42", a libvirt domain UUID): a request may name the VM by it, with <paramref name="ConnectionId"/>.</param>
public sealed record VmView(Guid Id, Guid ConnectionId, string ConnectionName, bool IsDemo, string Name, PowerState PowerState, string? HostExternalId, string? HostName, string? ClusterName,
    string Datastores, int Cpus, long MemoryMb, long ProvisionedGb, Guid? ApplicationId, string? ApplicationName, string ConnectionKind = "", string? ExternalId = null);

/// <summary>VMs the user may see (a requester: their applications' only), filtered, sorted and paged on the server.</summary>
public sealed class ListVms(IPortalDb db, AccessGuard guard)
{
    public sealed record Query(string? Search = null, Guid? ApplicationId = null, string? Host = null, string? Cluster = null, string? Datastore = null,
        string? PowerState = null, Guid? ConnectionId = null, string SortBy = "name", bool Descending = false, int Skip = 0, int Take = 50,
        bool RequestableOnly = false, IReadOnlyCollection<Guid>? Ids = null);

    public async Task<PagedResult<VmView>> HandleAsync(PortalUser user, Query query, CancellationToken ct = default)
    {
        new Validation()
            .Require(query.Take is > 0 and <= 500, nameof(query.Take), "Take between 1 and 500 VMs.")
            .Require(query.Skip >= 0, nameof(query.Skip), "Skip cannot be negative.")
            .Text(query.Search, nameof(query.Search), TextLimits.Filter)
            .Text(query.Host, nameof(query.Host), TextLimits.Filter)
            .Text(query.Cluster, nameof(query.Cluster), TextLimits.Filter)
            .Text(query.Datastore, nameof(query.Datastore), TextLimits.Filter)
            .Text(query.PowerState, nameof(query.PowerState), TextLimits.Filter)
            .Text(query.SortBy, nameof(query.SortBy), TextLimits.Filter)
            .Require(query.Ids is null || query.Ids.Count <= 500, nameof(query.Ids), "Ask for 500 VMs at most.")
            .Require(string.IsNullOrWhiteSpace(query.PowerState) || ParsePower(query.PowerState) is not null, nameof(query.PowerState),
                $"Power state is one of {string.Join(", ", Enum.GetNames<PowerState>())}.")
            .ThrowIfInvalid();

        var vms = (await guard.VisibleVmsAsync(user, ct)).AsNoTracking();
        // The wizard offers only VMs the user may request: their applications' (administrators: all), whatever else they may see.
        if (query.RequestableOnly && !user.IsIn(Roles.Administrator))
        {
            var owned = await guard.OwnedApplicationIdsAsync(user, ct);
            vms = vms.Where(v => v.ApplicationId != null && owned.Contains(v.ApplicationId.Value));
        }

        // Text filters find parts of names, ignoring case, as vCenter's filters do ("web" finds "Web-01" on "esx-web-2").
        vms = vms.WhereContains(v => v.Name, query.Search)
            .WhereContains(v => v.HostName, query.Host)
            .WhereContains(v => v.ClusterName, query.Cluster)
            .WhereContains(v => v.Datastores, query.Datastore);
        if (query.Ids is { Count: > 0 } ids) vms = vms.Where(v => ids.Contains(v.Id));
        if (query.ApplicationId is { } app) vms = vms.Where(v => v.ApplicationId == app);
        if (ParsePower(query.PowerState) is { } power) vms = vms.Where(v => v.PowerState == power);
        if (query.ConnectionId is { } conn) vms = vms.Where(v => v.ConnectionId == conn);

        vms = (query.SortBy.ToLowerInvariant(), query.Descending) switch
        {
            ("host", false) => vms.OrderBy(v => v.HostName).ThenBy(v => v.Name),
            ("host", true) => vms.OrderByDescending(v => v.HostName).ThenBy(v => v.Name),
            ("cluster", false) => vms.OrderBy(v => v.ClusterName).ThenBy(v => v.Name),
            ("cluster", true) => vms.OrderByDescending(v => v.ClusterName).ThenBy(v => v.Name),
            ("memory", false) => vms.OrderBy(v => v.MemoryMb).ThenBy(v => v.Name),
            ("memory", true) => vms.OrderByDescending(v => v.MemoryMb).ThenBy(v => v.Name),
            ("powerstate", false) => vms.OrderBy(v => v.PowerState).ThenBy(v => v.Name),
            ("powerstate", true) => vms.OrderByDescending(v => v.PowerState).ThenBy(v => v.Name),
            (_, true) => vms.OrderByDescending(v => v.Name),
            _ => vms.OrderBy(v => v.Name),
        };

        var total = await vms.CountAsync(ct);
        var page = await vms.Skip(query.Skip).Take(query.Take)
            .Select(v => new VmView(v.Id, v.ConnectionId,
                db.Connections.Where(c => c.Id == v.ConnectionId).Select(c => c.Name).First(),
                db.Connections.Where(c => c.Id == v.ConnectionId).Select(c => c.Kind).First() == "demo",
                v.Name, v.PowerState, v.HostExternalId, v.HostName, v.ClusterName, v.Datastores, v.Cpus, v.MemoryMb, v.ProvisionedGb, v.ApplicationId,
                db.Applications.Where(a => a.Id == v.ApplicationId).Select(a => a.Name).FirstOrDefault(),
                db.Connections.Where(c => c.Id == v.ConnectionId).Select(c => c.Kind).First(), v.ExternalId))
            .ToListAsync(ct);
        return new PagedResult<VmView>(page, total);
    }

    /// <summary>The filter takes the enum's name (as the API returns it), never a hypervisor's word or a number.</summary>
    private static PowerState? ParsePower(string? text) =>
        Enum.GetNames<PowerState>().FirstOrDefault(n => string.Equals(n, text?.Trim(), StringComparison.OrdinalIgnoreCase)) is { } name
            ? Enum.Parse<PowerState>(name) : null;
}
