using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>
/// The utilisation role: one RetrievePropertiesEx over a ContainerView of the root folder for every HostSystem's and
/// VirtualMachine's <c>summary.quickStats</c>, the hosts' <c>summary.hardware</c> for their capacity, and the placement.
/// quickStats are vCenter's own recent averages (about 20 s), already rates, so one reading needs no second call.
/// CPU ready is not in quickStats and is left null: reading it would need PerformanceManager's QueryPerf per VM
/// (cpu.ready.summation at the 20-second real-time interval), a call whose cost grows with the inventory.
/// A VM's memory in use is <c>hostMemoryUsage</c> (what the host backs it with, the figure placement must fit), not
/// <c>guestMemoryUsage</c> (the guest's active memory, which understates what a move needs).
/// </summary>
public sealed partial class VSphereConnector : IUtilisationCollector
{
    private static readonly IReadOnlyDictionary<string, string[]> UtilisationProperties = new Dictionary<string, string[]>
    {
        ["HostSystem"] = ["runtime.connectionState", "summary.quickStats.overallCpuUsage", "summary.quickStats.overallMemoryUsage",
            "summary.hardware.cpuMhz", "summary.hardware.numCpuCores", "summary.hardware.memorySize"],
        ["VirtualMachine"] = ["config.template", "runtime.powerState", "runtime.host", "summary.quickStats.overallCpuUsage",
            "summary.quickStats.hostMemoryUsage"],
    };

    public async Task<UtilisationReading> ReadUtilisationAsync(ConnectionInfo connection, CancellationToken ct)
    {
        try
        {
            return await ReadQuickStatsAsync(connection, ct);
        }
        catch (ConnectorException e) when (!e.Message.Contains(HostOf(connection), StringComparison.OrdinalIgnoreCase))
        {
            // vCenter's own words ("Cannot complete login ...") do not say which vCenter; the connection's error list does.
            throw new ConnectorException(e.FaultType, $"vCenter {HostOf(connection)}: {e.Message}", e);
        }
    }

    private static string HostOf(ConnectionInfo connection) =>
        Uri.TryCreate(connection.Endpoint, UriKind.Absolute, out var uri) ? uri.Authority : connection.Endpoint;

    private async Task<UtilisationReading> ReadQuickStatsAsync(ConnectionInfo connection, CancellationToken ct)
    {
        var client = await ClientAsync(connection, ct);
        var at = time.GetUtcNow();
        var view = await client.CreateContainerViewAsync(client.Content.RootFolder, UtilisationProperties.Keys, ct);
        List<VimObject> objects;
        try
        {
            objects = await client.RetrieveAsync(UtilisationProperties.Select(p => VimClient.PropSet(p.Key, p.Value)), [VimClient.ContainerViewObjectSet(view)],
                _options.InventoryPageSize > 0 ? _options.InventoryPageSize : null, ct);
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

        return ShapeUtilisation(at, objects);
    }

    /// <summary>Connected hosts and powered-on VMs (not templates) as the portal's reading.</summary>
    public static UtilisationReading ShapeUtilisation(DateTimeOffset at, IReadOnlyList<VimObject> objects)
    {
        var hosts = objects.Where(o => o.Ref.Type == "HostSystem" && o.String("runtime.connectionState") == "connected")
            .Select(h => new HostUtilisation(h.Ref.Value, h.Long("summary.quickStats.overallCpuUsage"),
                (double)h.Long("summary.hardware.cpuMhz") * h.Int("summary.hardware.numCpuCores"),
                h.Long("summary.quickStats.overallMemoryUsage"), h.Long("summary.hardware.memorySize") / (1024 * 1024)))
            .OrderBy(h => h.HostExternalId, StringComparer.Ordinal).ToList();
        var vms = objects.Where(o => o.Ref.Type == "VirtualMachine" && !o.Bool("config.template") && o.String("runtime.powerState") == "poweredOn")
            .Select(v => new VmUtilisation(v.Ref.Value, v.RefOf("runtime.host")?.Value, v.Long("summary.quickStats.overallCpuUsage"),
                v.Long("summary.quickStats.hostMemoryUsage")))
            .OrderBy(v => v.VmExternalId, StringComparer.Ordinal).ToList();
        return new UtilisationReading(at, hosts, vms);
    }
}
