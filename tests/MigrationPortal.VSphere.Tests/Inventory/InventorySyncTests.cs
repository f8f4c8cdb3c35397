using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Infrastructure.Connectors.VSphere;
using MigrationPortal.VSphere.Tests.Lab;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.VSphere.Tests.Inventory;

/// <summary>Inventory sync through the real use case against a simulator; counts and placements are compared with what the simulator says.</summary>
public sealed class InventorySyncTests
{
    [Fact]
    public async Task Sync_MirrorsDefaultModel_WithPlacementsMatchingSimulator()
    {
        await using var session = await LabSession.StartAsync();
        var (lab, portal) = (session.Lab, session.Portal);

        var hosts = await portal.Db(db => db.Hosts.ToListAsync());
        var vms = await portal.Db(db => db.Vms.ToListAsync());
        var clusters = await portal.Db(db => db.Clusters.ToListAsync());
        var datastores = await portal.Db(db => db.Datastores.ToListAsync());
        var networks = await portal.Db(db => db.Networks.ToListAsync());
        Assert.Equal(["DC0_C0", "DC0_C1"], clusters.Select(c => c.Name).Order());
        Assert.All(clusters, c => Assert.Equal("DC0", c.Datacenter));
        Assert.Equal(6, hosts.Count);
        Assert.Equal(4, vms.Count);
        Assert.Equal(["LocalDS_0", "LocalDS_1"], datastores.Select(d => d.Name).Order());
        Assert.Contains(networks, n => n.Name == "DC0_DVPG0" && n.Hosts.Split(',').Length == 6);

        foreach (var host in hosts)
        {
            var state = await lab.HostStateAsync(host.Name);
            Assert.Equal(state["id"]!.GetValue<string>(), host.ExternalId);
            Assert.Equal("connected", host.ConnectionState);
            Assert.False(host.InMaintenance);
            Assert.True(host.CpuCores > 0 && host.MemoryMb > 0);
            Assert.Equal(host.Name[..6], host.ClusterName);
            Assert.Equal(await lab.VmsOnHostAsync(host.Name), vms.Where(v => v.HostExternalId == host.ExternalId).Select(v => v.Name).Order(StringComparer.Ordinal).ToList());
        }

        foreach (var vm in vms)
        {
            var simulator = await lab.VmAsync(vm.Name);
            Assert.Equal(simulator["id"]!.GetValue<string>(), vm.ExternalId);
            Assert.Equal(simulator["host"]!["name"]!.GetValue<string>(), vm.HostName);
            Assert.Equal(string.Join(',', await lab.DatastoresOfVmAsync(vm.Name)), vm.Datastores);
            Assert.Equal(PowerState.On, vm.PowerState);
            Assert.Equal("opportunistic", vm.MigrateEncryption);
            Assert.Equal("DC0_DVPG0", vm.Networks);
            Assert.Equal(0, vm.SnapshotCount);
            Assert.True(vm.Cpus > 0 && vm.MemoryMb > 0);
        }

        Assert.All(datastores, d => Assert.Equal(6, d.MountedOnHosts.Split(',').Length));
        Assert.All(datastores, d => Assert.True(d.Accessible && d.CapacityGb > 0));
    }

    [Fact]
    public async Task Sync_MirrorsThousandVmModel_PerHostPlacementsMatchSimulator()
    {
        await using var lab = await VcsimLab.StartAsync(clusters: 4, hostsPerCluster: 5, vmsPerCluster: 250, datastores: 2, startTimeout: TimeSpan.FromMinutes(3));
        await using var portal = await VSpherePortal.StartAsync();
        var connection = await portal.AddConnectionAsync(lab);
        var result = await portal.SyncAsync(connection);
        Assert.Equal((4, 20, 2, 1000, 0), (result.Clusters, result.Hosts, result.Datastores, result.Vms, result.Removed));

        var placed = await portal.Db(db => db.Vms.Select(v => new { v.Name, v.HostName }).ToListAsync());
        Assert.Equal(1000, placed.Select(v => v.Name).Distinct().Count());
        var hosts = await portal.Db(db => db.Hosts.Select(h => h.Name).ToListAsync());
        foreach (var host in hosts)
            Assert.Equal(await lab.VmsOnHostAsync(host), placed.Where(v => v.HostName == host).Select(v => v.Name).Order(StringComparer.Ordinal).ToList());

        // A second pass changes nothing and removes nothing.
        var again = await portal.SyncAsync(connection);
        Assert.Equal(0, again.Removed);
        Assert.Equal(1000, await portal.Db(db => db.Vms.CountAsync()));
    }

    [Fact]
    public async Task Sync_MapsApplicationAttribute_AndRemovesVmsDeletedInVCenter()
    {
        await using var session = await LabSession.StartAsync();
        var (lab, portal) = (session.Lab, session.Portal);
        var info = new ConnectionInfo(session.ConnectionId, "vcsim", "vsphere", lab.SdkUrl.ToString(), VcsimLab.User, VcsimLab.Password, lab.Thumbprint, false);
        await using (var client = await VimClient.ConnectAsync(info, new VSphereOptions(), NullLogger.Instance, default))
        {
            var field = await client.InvokeAsync("AddCustomFieldDef", client.Content.CustomFieldsManager!.Value, default, Vim.E("name", "Application"), Vim.E("moType", "VirtualMachine"));
            var key = field.Child("returnval")!.ChildValue("key");
            var tagged = (await lab.VmAsync("DC0_C0_RP0_VM0"))["id"]!.GetValue<string>();
            await client.InvokeAsync("SetField", client.Content.CustomFieldsManager!.Value, default,
                new MoRef("VirtualMachine", tagged).ToXml("entity"), Vim.E("key", key), Vim.E("value", "payments"));
            var doomed = (await lab.VmAsync("DC0_C1_RP0_VM1"))["id"]!.GetValue<string>();
            await client.RunTaskAsync("PowerOffVM_Task", new MoRef("VirtualMachine", doomed), default);
            await client.RunTaskAsync("Destroy_Task", new MoRef("VirtualMachine", doomed), default);
        }

        var result = await portal.SyncAsync(session.ConnectionId);

        Assert.Equal(3, result.Vms);
        Assert.Equal(1, result.Removed);
        Assert.False(await portal.Db(db => db.Vms.AnyAsync(v => v.Name == "DC0_C1_RP0_VM1")));
        var vm = await portal.Db(db => db.Vms.FirstAsync(v => v.Name == "DC0_C0_RP0_VM0"));
        Assert.Equal("payments", vm.ApplicationTag);
        var app = await portal.Db(db => db.Applications.FirstAsync(a => a.Id == vm.ApplicationId));
        Assert.Equal("payments", app.Name);
    }

    [Fact]
    public async Task Sync_MapsApplicationTagOfConfiguredCategory_WhereTheAttributeIsEmpty_AndIgnoresOtherCategories()
    {
        await using var session = await LabSession.StartAsync(settings: new Dictionary<string, string?> { ["VSphere:ApplicationTagCategory"] = "Application" });
        var (lab, portal) = (session.Lab, session.Portal);
        await lab.TagVmAsync("DC0_C0_RP0_VM0", "Application", "billing");
        await lab.TagVmAsync("DC0_C0_RP0_VM1", "Environment", "production");
        await lab.TagVmAsync("DC0_C1_RP0_VM0", "Application", "crm");
        // DC0_C1_RP0_VM0 also has the custom attribute, which wins over its tag.
        var info = new ConnectionInfo(session.ConnectionId, "vcsim", "vsphere", lab.SdkUrl.ToString(), VcsimLab.User, VcsimLab.Password, lab.Thumbprint, false);
        await using (var client = await VimClient.ConnectAsync(info, new VSphereOptions(), NullLogger.Instance, default))
        {
            var field = await client.InvokeAsync("AddCustomFieldDef", client.Content.CustomFieldsManager!.Value, default, Vim.E("name", "Application"), Vim.E("moType", "VirtualMachine"));
            var key = field.Child("returnval")!.ChildValue("key");
            var vm = (await lab.VmAsync("DC0_C1_RP0_VM0"))["id"]!.GetValue<string>();
            await client.InvokeAsync("SetField", client.Content.CustomFieldsManager!.Value, default,
                new MoRef("VirtualMachine", vm).ToXml("entity"), Vim.E("key", key), Vim.E("value", "ledger"));
        }

        var result = await portal.SyncAsync(session.ConnectionId);

        Assert.Equal(4, result.Vms);
        var tags = await portal.Db(db => db.Vms.ToDictionaryAsync(v => v.Name, v => v.ApplicationTag));
        Assert.Equal("billing", tags["DC0_C0_RP0_VM0"]);
        Assert.Null(tags["DC0_C0_RP0_VM1"]);
        Assert.Equal("ledger", tags["DC0_C1_RP0_VM0"]);
        Assert.Null(tags["DC0_C1_RP0_VM1"]);
        var billing = await portal.Db(db => db.Vms.FirstAsync(v => v.Name == "DC0_C0_RP0_VM0"));
        Assert.Equal("billing", (await portal.Db(db => db.Applications.FirstAsync(a => a.Id == billing.ApplicationId))).Name);
        Assert.False(await portal.Db(db => db.Applications.AnyAsync(a => a.Name == "production" || a.Name == "crm")));
    }

    [Fact]
    public async Task Sync_IgnoresTags_WhenNoTagCategoryIsConfigured()
    {
        await using var session = await LabSession.StartAsync();
        var (lab, portal) = (session.Lab, session.Portal);
        await lab.TagVmAsync("DC0_C0_RP0_VM0", "Application", "billing");

        await portal.SyncAsync(session.ConnectionId);

        Assert.Null((await portal.Db(db => db.Vms.FirstAsync(v => v.Name == "DC0_C0_RP0_VM0"))).ApplicationTag);
    }
}
