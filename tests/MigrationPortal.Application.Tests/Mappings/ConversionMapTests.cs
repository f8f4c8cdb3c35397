using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Mappings;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Mappings;

/// <summary>Network and storage maps: who may read and change them, validation in one round, and the two kinds of conflict.</summary>
public abstract class ConversionMapTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private sealed record Pair(Guid VCenter, Guid Kvm);

    /// <summary>A vSphere connection with two networks and two datastores, and a libvirt one with pool "default" on two hosts and "fast" on one.</summary>
    private async Task<Pair> PairAsync()
    {
        var vcenter = new Connection($"vc-{Guid.NewGuid():N}"[..12], ConnectionKinds.VSphere, "https://vcenter.example/sdk", "svc");
        var kvm = new Connection($"kvm-{Guid.NewGuid():N}"[..12], ConnectionKinds.Libvirt, "qemu+tls://kvm-a/system");
        await Portal.Scoped<PortalDbContext>(async db =>
        {
            // The demo world seeds maps of its own (Demo → Demo KVM); these tests count only theirs.
            db.NetworkMaps.RemoveRange(db.NetworkMaps);
            db.StorageMaps.RemoveRange(db.StorageMaps);
            db.Connections.AddRange(vcenter, kvm);
            db.Networks.AddRange(
                new InventoryNetwork { ConnectionId = vcenter.Id, ExternalId = "network-1", Name = "VM Network" },
                new InventoryNetwork { ConnectionId = vcenter.Id, ExternalId = "dvportgroup-2", Name = "DPortGroup" },
                new InventoryNetwork { ConnectionId = kvm.Id, ExternalId = "default", Name = "default" });
            db.Datastores.AddRange(
                new InventoryDatastore { ConnectionId = vcenter.Id, ExternalId = "datastore-1", Name = "LocalDS_0" },
                new InventoryDatastore { ConnectionId = vcenter.Id, ExternalId = "datastore-2", Name = "LocalDS_1" },
                new InventoryDatastore { ConnectionId = kvm.Id, ExternalId = "qemu+tls://kvm-a/system#default", Name = "default@kvm-a" },
                new InventoryDatastore { ConnectionId = kvm.Id, ExternalId = "qemu+tls://kvm-b/system#default", Name = "default@kvm-b" },
                new InventoryDatastore { ConnectionId = kvm.Id, ExternalId = "qemu+tls://kvm-a/system#fast", Name = "fast@kvm-a" });
            await db.SaveChangesAsync();
        });
        return new Pair(vcenter.Id, kvm.Id);
    }

    private static SaveNetworkMap.Command Networks(Pair pair, string name = "prod") => new(null, null, name, pair.VCenter, pair.Kvm,
        [new("VM Network", NetworkTargetKind.Network, "default"), new("DPortGroup", NetworkTargetKind.Bridge, "br0")]);

    private static SaveStorageMap.Command Storage(Pair pair, string name = "prod") => new(null, null, name, pair.VCenter, pair.Kvm,
        [new("LocalDS_0", "default", ConvertedDiskFormat.Qcow2), new("LocalDS_1", "fast", ConvertedDiskFormat.Raw)]);

    private Task<NetworkMapView> SaveAsync(SaveNetworkMap.Command command, Authorization.PortalUser? user = null) =>
        Portal.Scoped<SaveNetworkMap, NetworkMapView>(u => u.HandleAsync(user ?? PortalHarness.Admin, command));

    private Task<StorageMapView> SaveAsync(SaveStorageMap.Command command, Authorization.PortalUser? user = null) =>
        Portal.Scoped<SaveStorageMap, StorageMapView>(u => u.HandleAsync(user ?? PortalHarness.Admin, command));

    private Task<ConversionMapsView> ListAsync(Authorization.PortalUser user, ListConversionMaps.Query? query = null) =>
        Portal.Scoped<ListConversionMaps, ConversionMapsView>(u => u.HandleAsync(user, query ?? new ListConversionMaps.Query()));

    [Fact]
    public async Task SaveMaps_CreatesThenEditsWithTheNextVersion_AndAuditsEachChange()
    {
        var pair = await PairAsync();
        var network = await SaveAsync(Networks(pair));
        var storage = await SaveAsync(Storage(pair));
        Assert.Equal(1, network.Version);
        Assert.Equal(PortalHarness.Admin.Name, network.UpdatedBy);

        var edited = await SaveAsync(Networks(pair, "  production  ") with
        {
            Id = network.Id, ExpectedVersion = 1, Entries = [new SaveNetworkMap.Entry(" VM Network ", NetworkTargetKind.Bridge, " br1 ")],
        });
        Assert.Equal(2, edited.Version);
        Assert.Equal("production", edited.Name);
        Assert.Equal([new NetworkMapping("VM Network", NetworkTargetKind.Bridge, "br1")], edited.Entries);

        // Read back as a requester picking a map in the wizard, for the pair, with the connections' names.
        var listed = await ListAsync(Requester, new ListConversionMaps.Query(pair.VCenter, pair.Kvm));
        var readNetwork = Assert.Single(listed.NetworkMaps);
        Assert.Equal(edited.Entries, readNetwork.Entries);
        var sourceName = await Portal.Db(db => db.Connections.Where(c => c.Id == pair.VCenter).Select(c => c.Name).FirstAsync());
        Assert.Equal(sourceName, readNetwork.SourceConnectionName);
        var readStorage = Assert.Single(listed.StorageMaps);
        Assert.Equal(storage.Entries, readStorage.Entries);
        Assert.Equal(ConvertedDiskFormat.Qcow2, readStorage.Entries[0].Format);
        Assert.Empty((await ListAsync(Operator, new ListConversionMaps.Query(DestinationConnectionId: pair.VCenter))).NetworkMaps);

        var audited = await Portal.Db(db => db.AuditEvents.Where(e => e.Action == AuditActions.MapSaved).OrderBy(e => e.Sequence).ToListAsync());
        Assert.Equal(3, audited.Count);
        Assert.Equal([network.Id.ToString(), storage.Id.ToString(), network.Id.ToString()], audited.Select(e => e.EntityId));
        Assert.Contains("\"change\":\"edited\"", audited[2].Details);
        Assert.Contains("br1", audited[2].Details);
    }

    [Fact]
    public async Task SaveNetworkMap_Throws409_WhenTheVersionIsStale()
    {
        var pair = await PairAsync();
        var created = await SaveAsync(Networks(pair));
        await SaveAsync(Networks(pair, "first edit") with { Id = created.Id, ExpectedVersion = 1 });

        var stale = await Assert.ThrowsAsync<ConflictException>(() => SaveAsync(Networks(pair, "second edit") with { Id = created.Id, ExpectedVersion = 1 }));
        Assert.Contains("version 1, now 2", stale.Message);
        var stored = await Portal.Db(db => db.NetworkMaps.AsNoTracking().SingleAsync());
        Assert.Equal(("first edit", 2), (stored.Name, stored.Version));
    }

    [Fact]
    public async Task SaveStorageMap_Throws409FromTheUniqueIndex_WhenThePairHasAMapOfThatName()
    {
        var pair = await PairAsync();
        await SaveAsync(Storage(pair, "prod"));
        var other = await SaveAsync(Storage(pair, "test"));

        var twice = await Assert.ThrowsAsync<ConflictException>(() => SaveAsync(Storage(pair, " prod ")));
        Assert.Contains("already called 'prod'", twice.Message);
        // A rename onto a taken name is refused the same way.
        await Assert.ThrowsAsync<ConflictException>(() => SaveAsync(Storage(pair, "prod") with { Id = other.Id, ExpectedVersion = 1 }));
        Assert.Equal(["prod", "test"], await Portal.Db(db => db.StorageMaps.Select(m => m.Name).OrderBy(n => n).ToListAsync()));
        // The name is unique per pair, and a network map is another kind of map.
        Assert.Equal("prod", (await SaveAsync(Networks(pair, "prod"))).Name);
        // The refused saves left no audit event behind: it commits with the change or not at all.
        Assert.Equal(3, await Portal.Db(db => db.AuditEvents.CountAsync(e => e.Action == AuditActions.MapSaved)));
    }

    [Fact]
    public async Task SaveStorageMap_ReportsEveryBadEntryInOneRound_WhenEntriesAreInvalid()
    {
        var pair = await PairAsync();
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => SaveAsync(Storage(pair, "") with
        {
            Entries =
            [
                new SaveStorageMap.Entry("LocalDS_0", "default", ConvertedDiskFormat.Raw),
                new SaveStorageMap.Entry("LocalDS_0", "default", ConvertedDiskFormat.Raw),
                new SaveStorageMap.Entry("NoSuchDS", "nowhere", (ConvertedDiskFormat)7),
                new SaveStorageMap.Entry("", "fa\0st", ConvertedDiskFormat.Qcow2),
                new SaveStorageMap.Entry(new string('d', TextLimits.Name + 1), "default", null),
                null,
            ],
        }));
        Assert.Equal(
            ["Entries[1].SourceDatastore", "Entries[2].Format", "Entries[2].SourceDatastore", "Entries[2].TargetPool", "Entries[3].SourceDatastore", "Entries[3].TargetPool",
                "Entries[4].Format", "Entries[4].SourceDatastore", "Entries[5]", "Name"],
            error.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("already mapped in entry 1", error.Errors["Entries[1].SourceDatastore"][0]);
        Assert.Contains("'7' is not one of Raw, Qcow2", error.Errors["Entries[2].Format"][0]);
        Assert.Contains("'NoSuchDS' is not a datastore", error.Errors["Entries[2].SourceDatastore"][0]);
        Assert.Contains("'nowhere' is not a storage pool", error.Errors["Entries[2].TargetPool"][0]);
        Assert.Contains("NUL", error.Errors["Entries[3].TargetPool"][0]);
        Assert.Contains("257", error.Errors["Entries[4].SourceDatastore"][0]);
        Assert.Contains("Choose raw or qcow2", error.Errors["Entries[4].Format"][0]);
        Assert.Equal(0, await Portal.Db(db => db.StorageMaps.CountAsync()));
    }

    [Fact]
    public async Task SaveNetworkMap_ReportsThePairAndEveryEntry_WhenConnectionsAndNamesAreWrong()
    {
        var pair = await PairAsync();
        var demo = await Portal.Db(db => db.Connections.Where(c => c.Kind == ConnectionKinds.Demo).Select(c => c.Id).FirstAsync());
        // The source is the libvirt connection and the destination the demo one: neither can be converted from or to.
        var reversed = await Assert.ThrowsAsync<ValidationFailedException>(() => SaveAsync(new SaveNetworkMap.Command(null, null, "x\0y", pair.Kvm, demo,
            [new SaveNetworkMap.Entry("default", (NetworkTargetKind)42, ""), new SaveNetworkMap.Entry("VM Network", NetworkTargetKind.Network, "default")])));
        Assert.Equal(["DestinationConnectionId", "Entries[0].TargetKind", "Entries[0].TargetName", "Entries[1].SourceNetwork", "Name", "SourceConnectionId"],
            reversed.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("convert from vsphere", reversed.Errors["SourceConnectionId"][0]);
        Assert.Contains("convert to libvirt", reversed.Errors["DestinationConnectionId"][0]);

        var same = await Assert.ThrowsAsync<ValidationFailedException>(() => SaveAsync(Networks(pair) with { DestinationConnectionId = pair.VCenter }));
        Assert.Contains("other than the source", same.Errors["DestinationConnectionId"][0]);
        var missing = await Assert.ThrowsAsync<ValidationFailedException>(() => SaveAsync(Networks(pair) with { SourceConnectionId = Guid.NewGuid(), Entries = [] }));
        Assert.Equal(["Entries", "SourceConnectionId"], missing.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ConversionMaps_AreChangedOnlyByAdministrators_AndReadByAdministratorsOperatorsAndRequesters()
    {
        var pair = await PairAsync();
        await Assert.ThrowsAsync<ForbiddenException>(() => SaveAsync(Networks(pair), Requester));
        await Assert.ThrowsAsync<ForbiddenException>(() => SaveAsync(Storage(pair), Operator));
        var map = await SaveAsync(Storage(pair));
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<DeleteConversionMap>(u => u.HandleAsync(Requester, new DeleteConversionMap.Command(ConversionMapKind.Storage, map.Id))));
        await Assert.ThrowsAsync<ForbiddenException>(() => ListAsync(Approver1));
        await Assert.ThrowsAsync<ForbiddenException>(() => ListAsync(Auditor));
        Assert.Single((await ListAsync(Requester)).StorageMaps);
        Assert.Single((await ListAsync(Operator)).StorageMaps);
        Assert.True(await Portal.Db(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.AccessDenied && e.Details.Contains("network-map.save"))));
        Assert.Equal(1, await Portal.Db(db => db.StorageMaps.CountAsync()));
        Assert.Equal(0, await Portal.Db(db => db.NetworkMaps.CountAsync()));
    }

    [Fact]
    public async Task DeleteConversionMap_RemovesAndAuditsTheMap_And404sAnUnknownOne()
    {
        var pair = await PairAsync();
        var network = await SaveAsync(Networks(pair));
        var storage = await SaveAsync(Storage(pair));
        await Portal.Scoped<DeleteConversionMap>(u => u.HandleAsync(PortalHarness.Admin, new DeleteConversionMap.Command(ConversionMapKind.Network, network.Id)));
        // The storage map's ID under the other kind is not found: the kinds are separate.
        await Assert.ThrowsAsync<NotFoundException>(() => Portal.Scoped<DeleteConversionMap>(u => u.HandleAsync(PortalHarness.Admin, new DeleteConversionMap.Command(ConversionMapKind.Network, storage.Id))));
        await Assert.ThrowsAsync<NotFoundException>(() => Portal.Scoped<DeleteConversionMap>(u => u.HandleAsync(PortalHarness.Admin, new DeleteConversionMap.Command(ConversionMapKind.Network, network.Id))));
        await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<DeleteConversionMap>(u => u.HandleAsync(PortalHarness.Admin, new DeleteConversionMap.Command((ConversionMapKind)9, storage.Id))));

        var left = await ListAsync(PortalHarness.Admin);
        Assert.Empty(left.NetworkMaps);
        Assert.Equal(storage.Id, Assert.Single(left.StorageMaps).Id);
        var deleted = await Portal.Db(db => db.AuditEvents.SingleAsync(e => e.Action == AuditActions.MapDeleted));
        Assert.Equal(network.Id.ToString(), deleted.EntityId);
        Assert.Contains("DPortGroup", deleted.Details);
    }

    [Fact]
    public async Task ListMapChoices_OffersConvertibleConnectionsAndTheirInventory_WithPoolsOncePerName()
    {
        var pair = await PairAsync();
        var choices = await Portal.Scoped<ListMapChoices, ListMapChoices.Choices>(u => u.HandleAsync(PortalHarness.Admin, new ListMapChoices.Query(pair.VCenter, pair.Kvm)));
        Assert.Contains(choices.Sources, c => c.Id == pair.VCenter);
        Assert.DoesNotContain(choices.Sources, c => c.Id == pair.Kvm);
        Assert.All(choices.Destinations, c => Assert.Equal(ConnectionKinds.Libvirt, c.Kind));
        Assert.Equal(["DPortGroup", "VM Network"], choices.SourceNetworks);
        Assert.Equal(["LocalDS_0", "LocalDS_1"], choices.SourceDatastores);
        Assert.Equal(["default", "fast"], choices.DestinationPools);
        Assert.Equal(["default"], choices.DestinationNetworks);
    }
}

public sealed class SqliteConversionMapTests() : ConversionMapTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlConversionMapTests() : ConversionMapTests(DatabaseProvider.PostgreSql);
