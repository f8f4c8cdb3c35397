using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Tests.Api;

/// <summary>A vSphere and a libvirt connection with a little inventory, and valid map bodies for them, for the API tests.</summary>
internal static class MapFixtures
{
    public sealed record Pair(Guid VCenter, Guid Kvm);

    public static async Task<Pair> PairAsync(IServiceProvider services)
    {
        var vcenter = new Connection($"vc-{Guid.NewGuid():N}", ConnectionKinds.VSphere, "https://vcenter.example/sdk", "svc");
        var kvm = new Connection($"kvm-{Guid.NewGuid():N}", ConnectionKinds.Libvirt, "qemu+tls://kvm-a.example/system");
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.Connections.AddRange(vcenter, kvm);
        db.Networks.Add(new InventoryNetwork { ConnectionId = vcenter.Id, ExternalId = "network-1", Name = "VM Network" });
        db.Networks.Add(new InventoryNetwork { ConnectionId = kvm.Id, ExternalId = "default", Name = "default" });
        db.Datastores.Add(new InventoryDatastore { ConnectionId = vcenter.Id, ExternalId = "datastore-1", Name = "LocalDS_0" });
        db.Datastores.Add(new InventoryDatastore { ConnectionId = kvm.Id, ExternalId = "qemu+tls://kvm-a.example/system#default", Name = "default@kvm-a" });
        await db.SaveChangesAsync();
        return new Pair(vcenter.Id, kvm.Id);
    }

    public static object NetworkBody(Pair pair, string name, int? version = null) => new
    {
        name, sourceConnectionId = pair.VCenter, destinationConnectionId = pair.Kvm, version,
        entries = new[] { new { sourceNetwork = "VM Network", targetKind = "Network", targetName = "default" } },
    };

    public static object StorageBody(Pair pair, string name, int? version = null) => new
    {
        name, sourceConnectionId = pair.VCenter, destinationConnectionId = pair.Kvm, version,
        entries = new[] { new { sourceDatastore = "LocalDS_0", targetPool = "default", format = "Qcow2" } },
    };
}
