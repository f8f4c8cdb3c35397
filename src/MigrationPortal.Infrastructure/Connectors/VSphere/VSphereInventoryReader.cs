using System.Xml.Linq;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>
/// Reads a vCenter's whole inventory in one RetrievePropertiesEx over a ContainerView of the root folder (following
/// ContinueRetrievePropertiesEx tokens), and shapes it into the portal's <see cref="InventorySnapshot"/>.
/// </summary>
public static class VSphereInventoryReader
{
    private const double BytesPerGb = 1024d * 1024 * 1024;

    public static readonly IReadOnlyDictionary<string, string[]> Properties = new Dictionary<string, string[]>
    {
        ["Datacenter"] = ["name", "hostFolder"],
        ["Folder"] = ["parent"],
        ["ComputeResource"] = ["name", "parent", "resourcePool"],
        ["HostSystem"] = ["name", "parent", "datastore", "runtime.connectionState", "runtime.powerState", "runtime.inMaintenanceMode",
            "summary.hardware.numCpuCores", "summary.hardware.memorySize", "summary.quickStats.overallMemoryUsage"],
        ["Datastore"] = ["name", "summary.capacity", "summary.freeSpace", "summary.accessible", "host"],
        ["Network"] = ["name", "host"],
        ["ResourcePool"] = ["name"],
        ["VirtualMachine"] = ["name", "config.template", "runtime.powerState", "runtime.host", "resourcePool", "datastore", "network",
            "config.hardware.numCPU", "config.hardware.memoryMB", "summary.storage.committed", "summary.storage.uncommitted",
            "customValue", "config.migrateEncryption", "snapshot"],
    };

    /// <summary>Every property of <see cref="Properties"/> for every object under the root folder, in as few calls as vCenter allows.</summary>
    public static async Task<List<VimObject>> RetrieveAllAsync(VimClient client, int pageSize, CancellationToken ct)
    {
        var view = await client.CreateContainerViewAsync(client.Content.RootFolder, Properties.Keys, ct);
        try
        {
            return await client.RetrieveAsync(Properties.Select(p => VimClient.PropSet(p.Key, p.Value)), [VimClient.ContainerViewObjectSet(view)],
                pageSize > 0 ? pageSize : null, ct);
        }
        finally
        {
            try
            {
                await client.DestroyViewAsync(view, CancellationToken.None);
            }
            catch (ConnectorException)
            {
                // The view dies with the session anyway.
            }
        }
    }

    /// <param name="applicationTagCategory">A tag category whose tag names a VM's application (vAPI tagging); null or empty to read only the attribute.</param>
    public static async Task<InventorySnapshot> ReadAsync(VimClient client, string applicationAttribute, string? applicationTagCategory, int pageSize, CancellationToken ct)
    {
        var applicationKey = await ApplicationFieldKeyAsync(client, applicationAttribute, ct);
        var tags = string.IsNullOrWhiteSpace(applicationTagCategory) ? null : await VSphereTags.VmTagsInCategoryAsync(client, applicationTagCategory.Trim(), ct);
        var objects = await RetrieveAllAsync(client, pageSize, ct);
        return Shape(objects, applicationKey, tags);
    }

    /// <summary>The key of the custom attribute that names the application, or null when the vCenter has none.</summary>
    public static async Task<string?> ApplicationFieldKeyAsync(VimClient client, string attribute, CancellationToken ct)
    {
        if (client.Content.CustomFieldsManager is not { } manager) return null;
        var found = await client.RetrieveObjectsAsync([manager], ["field"], ct);
        var fields = found.GetValueOrDefault(manager)?.Get("field");
        return fields?.Elements()
            .Where(f => string.Equals(f.ChildValue("name"), attribute, StringComparison.OrdinalIgnoreCase)
                && f.ChildValue("managedObjectType") is null or "VirtualMachine" or "ManagedEntity")
            .Select(f => f.ChildValue("key")).FirstOrDefault();
    }

    /// <param name="applicationTags">VM ID to its tag in the application category, used where the custom attribute is empty.</param>
    public static InventorySnapshot Shape(IReadOnlyList<VimObject> objects, string? applicationKey, IReadOnlyDictionary<string, string>? applicationTags = null)
    {
        var byType = objects.ToLookup(o => o.Ref.Type);
        var names = new Dictionary<MoRef, string>();
        foreach (var o in objects)
            if (o.String("name") is { } name) names[o.Ref] = name;

        // Datacenter of a compute resource: walk up its folders to the folder some datacenter uses as hostFolder.
        var folderParents = byType["Folder"].ToDictionary(f => f.Ref, f => f.RefOf("parent"));
        var hostFolderOwners = byType["Datacenter"].Where(d => d.RefOf("hostFolder") is not null).ToDictionary(d => d.RefOf("hostFolder")!.Value, d => d.String("name"));
        string? DatacenterOf(MoRef? parent)
        {
            for (var hops = 0; parent is { } p && hops < 64; hops++)
            {
                if (hostFolderOwners.TryGetValue(p, out var dc)) return dc;
                if (p.Type == "Datacenter") return names.GetValueOrDefault(p);
                parent = folderParents.GetValueOrDefault(p);
            }

            return null;
        }

        var computeResources = byType["ComputeResource"].Concat(byType["ClusterComputeResource"]).ToDictionary(c => c.Ref);
        var clusters = computeResources.Values.Where(c => c.Ref.Type == "ClusterComputeResource")
            .Select(c => new ClusterInfo(c.Ref.Value, c.String("name") ?? c.Ref.Value, DatacenterOf(c.RefOf("parent"))))
            .OrderBy(c => c.Name, StringComparer.Ordinal).ToList();

        var hostObjects = byType["HostSystem"].ToList();
        var clusterOfHost = new Dictionary<MoRef, string?>();
        foreach (var h in hostObjects)
            clusterOfHost[h.Ref] = h.RefOf("parent") is { Type: "ClusterComputeResource" } parent ? names.GetValueOrDefault(parent) : null;
        var hosts = hostObjects.Select(h => new HostInfo(h.Ref.Value, h.String("name") ?? h.Ref.Value, clusterOfHost[h.Ref],
                h.String("runtime.connectionState") ?? "unknown", VSpherePowerStates.ToPortal(h.String("runtime.powerState")), h.Bool("runtime.inMaintenanceMode"),
                h.Int("summary.hardware.numCpuCores"), h.Long("summary.hardware.memorySize") / (1024 * 1024), h.Long("summary.quickStats.overallMemoryUsage")))
            .OrderBy(h => h.Name, StringComparer.Ordinal).ToList();

        string HostName(MoRef r) => names.GetValueOrDefault(r) ?? r.Value;
        // Mounts are read from both sides (Datastore.host and HostSystem.datastore): vCenter keeps them consistent, and
        // the union stays right where one side is incomplete (govmomi's simulator lists only one host in Datastore.host).
        var mountedBy = byType["Datastore"].ToDictionary(d => d.Ref, d => MountingHosts(d).ToHashSet());
        foreach (var h in hostObjects)
            foreach (var d in h.RefsOf("datastore"))
                if (mountedBy.TryGetValue(d, out var set)) set.Add(h.Ref);
        var datastores = byType["Datastore"].Select(d => new DatastoreInfo(d.Ref.Value, d.String("name") ?? d.Ref.Value,
                (long)Math.Round(d.Long("summary.capacity") / BytesPerGb), (long)Math.Floor(d.Long("summary.freeSpace") / BytesPerGb),
                d.Get("summary.accessible") is null || d.Bool("summary.accessible"), mountedBy[d.Ref].Select(HostName).Order(StringComparer.Ordinal).ToList()))
            .OrderBy(d => d.Name, StringComparer.Ordinal).ToList();

        var networkTypes = new[] { "Network", "DistributedVirtualPortgroup", "OpaqueNetwork" };
        var networks = networkTypes.SelectMany(t => byType[t])
            .Select(n => new NetworkInfo(n.Ref.Value, n.String("name") ?? n.Ref.Value, n.RefsOf("host").Select(HostName).ToList()))
            .OrderBy(n => n.Name, StringComparer.Ordinal).ToList();

        var vms = new List<VmInfo>();
        foreach (var v in byType["VirtualMachine"])
        {
            if (v.Bool("config.template")) continue;
            var host = v.RefOf("runtime.host");
            var committed = v.Long("summary.storage.committed");
            var uncommitted = v.Long("summary.storage.uncommitted");
            vms.Add(new VmInfo(v.Ref.Value, v.String("name") ?? v.Ref.Value, VSpherePowerStates.ToPortal(v.String("runtime.powerState")),
                host?.Value, host is { } h ? HostName(h) : null, host is { } hc ? clusterOfHost.GetValueOrDefault(hc) : null,
                v.RefOf("resourcePool") is { } pool ? names.GetValueOrDefault(pool) ?? pool.Value : null,
                v.RefsOf("datastore").Select(d => names.GetValueOrDefault(d) ?? d.Value).ToList(),
                v.Int("config.hardware.numCPU"), v.Long("config.hardware.memoryMB"),
                (long)Math.Ceiling((committed + uncommitted) / BytesPerGb), (long)Math.Ceiling(committed / BytesPerGb),
                ApplicationOf(v, applicationKey) ?? applicationTags?.GetValueOrDefault(v.Ref.Value), v.String("config.migrateEncryption"),
                v.RefsOf("network").Select(n => names.GetValueOrDefault(n) ?? n.Value).ToList(), CountSnapshots(v.Get("snapshot"))));
        }

        vms.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new InventorySnapshot(clusters, hosts, datastores, vms, networks);
    }

    /// <summary>The hosts that have a datastore mounted (DatastoreHostMount entries whose mountInfo does not say mounted=false).</summary>
    public static IEnumerable<MoRef> MountingHosts(VimObject datastore) =>
        datastore.Get("host")?.Elements()
            .Where(m => m.Child("mountInfo")?.ChildValue("mounted") != "false")
            .Select(m => m.Child("key"))
            .Where(k => k is not null)
            .Select(k => MoRef.Parse(k!)) ?? [];

    public static int CountSnapshots(XElement? snapshotInfo) =>
        snapshotInfo?.Descendants().Count(e => e.Name == Vim.Ns + "rootSnapshotList" || e.Name == Vim.Ns + "childSnapshotList") ?? 0;

    private static string? ApplicationOf(VimObject vm, string? key)
    {
        if (key is null) return null;
        var value = vm.Get("customValue")?.Elements().FirstOrDefault(c => c.ChildValue("key") == key)?.ChildValue("value");
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}
