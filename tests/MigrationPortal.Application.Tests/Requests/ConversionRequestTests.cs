using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using MigrationPortal.Testing;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Requests;

/// <summary>
/// A requester asks for VMware → KVM: the destination is another connection of a pair the portal converts, the host is one
/// of its hosts, and the maps (chosen, or the pair's only ones) cover every network and datastore of the VM. Every problem
/// is named in one round, and the request and its audit record carry the choices.
/// </summary>
public abstract class ConversionRequestTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    protected override void ConfigureServices(IServiceCollection services) => ConversionWorld.RegisterItinerary(services);

    private static SubmitRequest.Command Convert(ConversionWorld world, Guid? destination = null, string? host = null, Guid? networkMap = null, Guid? storageMap = null,
        bool keepIdentity = true, SourceAfterConversion afterSuccess = SourceAfterConversion.KeepOffAndAnnotate) =>
        new(world.Vm.Id, MigrationKind.CrossPlatform, false, host ?? world.KvmHostId, null, "Leaving VMware", TakeSnapshot: false,
            TargetConnectionId: destination ?? world.KvmId, NetworkMapId: networkMap, StorageMapId: storageMap, KeepIdentity: keepIdentity, AfterSuccess: afterSuccess);

    private Task<RequestSummary> SubmitAsync(SubmitRequest.Command command) =>
        Portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Requester, command));

    private async Task<IReadOnlyDictionary<string, string[]>> RefusedAsync(SubmitRequest.Command command)
    {
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => SubmitAsync(command));
        Assert.Equal(0, await Portal.Db(db => db.Requests.CountAsync()));
        return error.Errors;
    }

    [Fact]
    public async Task Submit_CopiesTheInheritedMapsIntoTheRequest_WhenThePairHasOneOfEach()
    {
        var world = await ConversionWorld.SeedAsync(Portal, RequesterApp);
        var networks = await world.AddNetworkMapAsync(Portal, "east to kvm");
        var storage = await world.AddStorageMapAsync(Portal, "east disks");

        var submitted = await SubmitAsync(Convert(world, keepIdentity: false, afterSuccess: SourceAfterConversion.KeepOff));

        var request = await Portal.RequestAsync(submitted.Id);
        Assert.Equal(MigrationKind.CrossPlatform, request.Kind);
        Assert.Equal(new MigrationTarget(world.KvmId, world.KvmHostId, "kvm-a", null, null, null), request.Target);
        Assert.Equal(world.VCenterId, request.ConnectionId);
        var conversion = Assert.IsType<ConversionSettings>(request.Conversion);
        Assert.Equal(networks.Id, conversion.NetworkMapId);
        Assert.Equal(storage.Id, conversion.StorageMapId);
        Assert.False(conversion.KeepIdentity);
        Assert.Equal(SourceAfterConversion.KeepOff, conversion.AfterSuccess);
        Assert.Equal(new NetworkMapping(ConversionWorld.ProdNetwork, NetworkTargetKind.Bridge, "br-prod"), conversion.NetworkFor(ConversionWorld.ProdNetwork));
        Assert.Equal(new StorageMapping(ConversionWorld.BulkStore, "bulk", ConvertedDiskFormat.Raw), conversion.StorageFor(ConversionWorld.BulkStore));
        // A cold conversion moves disks, not memory: the estimate is the 12 GiB used, not 12 GiB plus 4 GiB of memory.
        Assert.Equal(12L * 1024 * 1024 * 1024, request.EstimatedBytes);
    }

    [Fact]
    public async Task Submit_UsesTheChosenMaps_WhenThePairHasSeveral()
    {
        var world = await ConversionWorld.SeedAsync(Portal, RequesterApp);
        await world.AddNetworkMapAsync(Portal, "east to kvm");
        var second = await world.AddNetworkMapAsync(Portal, "east to kvm, lab bridges",
            new NetworkMapping(ConversionWorld.ProdNetwork, NetworkTargetKind.Bridge, "br-lab"), new NetworkMapping(ConversionWorld.BackupNetwork, NetworkTargetKind.Bridge, "br-lab"));
        await world.AddStorageMapAsync(Portal, "east disks");

        var submitted = await SubmitAsync(Convert(world, networkMap: second.Id));

        var conversion = (await Portal.RequestAsync(submitted.Id)).Conversion!;
        Assert.Equal(second.Id, conversion.NetworkMapId);
        Assert.Equal("br-lab", conversion.NetworkFor(ConversionWorld.ProdNetwork)!.TargetName);
    }

    [Fact]
    public async Task Submit_AsksToChooseAMapAndNamesThem_WhenThePairHasSeveralAndNoneIsChosen()
    {
        var world = await ConversionWorld.SeedAsync(Portal, RequesterApp);
        await world.AddNetworkMapAsync(Portal, "east to kvm");
        await world.AddNetworkMapAsync(Portal, "east to kvm, lab bridges");

        var errors = await RefusedAsync(Convert(world));

        var network = Assert.Single(errors[nameof(SubmitRequest.Command.NetworkMapId)]);
        Assert.Contains("Several network maps", network);
        Assert.Contains("'east to kvm, lab bridges'", network);
        Assert.Contains("choose one", network);
        // The storage side is reported in the same round: the pair has no storage map at all.
        Assert.Contains(errors[nameof(SubmitRequest.Command.StorageMapId)], m => m.Contains("an Administrator makes one (Admin → Conversion maps)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Submit_NamesEveryUnmappedNetworkAndDatastore_InOneRound()
    {
        var world = await ConversionWorld.SeedAsync(Portal, RequesterApp);
        await world.AddNetworkMapAsync(Portal, "prod only", new NetworkMapping(ConversionWorld.ProdNetwork, NetworkTargetKind.Bridge, "br-prod"));
        await world.AddStorageMapAsync(Portal, "unrelated", new StorageMapping("ds-elsewhere", "images", ConvertedDiskFormat.Qcow2));

        var errors = await RefusedAsync(Convert(world));

        var network = Assert.Single(errors[nameof(SubmitRequest.Command.NetworkMapId)]);
        Assert.Contains($"'{ConversionWorld.BackupNetwork}'", network);
        Assert.Contains("'prod only'", network);
        var storage = errors[nameof(SubmitRequest.Command.StorageMapId)];
        Assert.Equal(2, storage.Length);
        Assert.Contains(storage, m => m.Contains($"'{ConversionWorld.FastStore}'", StringComparison.Ordinal));
        Assert.Contains(storage, m => m.Contains($"'{ConversionWorld.BulkStore}'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Submit_RefusesTheHost_WhenItIsAHostOfAnotherConnection()
    {
        var world = await ConversionWorld.SeedAsync(Portal, RequesterApp);
        await world.AddNetworkMapAsync(Portal, "east to kvm");
        await world.AddStorageMapAsync(Portal, "east disks");

        var errors = await RefusedAsync(Convert(world, host: world.OtherKvmHostId));
        Assert.Contains("is not a host of the connection", Assert.Single(errors[nameof(SubmitRequest.Command.TargetHostId)]));

        // The VM's own host, on its own vCenter, is no KVM host either.
        errors = await RefusedAsync(Convert(world, host: world.VCenterHostId));
        Assert.Contains("is not a host of the connection", Assert.Single(errors[nameof(SubmitRequest.Command.TargetHostId)]));
    }

    [Fact]
    public async Task Submit_RefusesTheDestination_WhenItIsTheVmsOwnConnection()
    {
        var world = await ConversionWorld.SeedAsync(Portal, RequesterApp);

        var errors = await RefusedAsync(Convert(world, destination: world.VCenterId, host: world.VCenterHostId));

        Assert.Contains("another connection", Assert.Single(errors[nameof(SubmitRequest.Command.TargetConnectionId)]));
    }

    [Fact]
    public async Task Submit_RefusesThePair_WhenThePortalCannotConvertBetweenTheirKinds()
    {
        var world = await ConversionWorld.SeedAsync(Portal, RequesterApp);

        var errors = await RefusedAsync(Convert(world, destination: world.OtherVCenterId));

        Assert.Contains("cannot convert a VM from a vsphere connection to a vsphere connection", Assert.Single(errors[nameof(SubmitRequest.Command.TargetConnectionId)]));
    }

    [Fact]
    public async Task Submit_RefusesAfterSuccess_WhenTheNumberNamesNoMember()
    {
        var world = await ConversionWorld.SeedAsync(Portal, RequesterApp);
        await world.AddNetworkMapAsync(Portal, "east to kvm");
        await world.AddStorageMapAsync(Portal, "east disks");

        var errors = await RefusedAsync(Convert(world, afterSuccess: (SourceAfterConversion)7));

        Assert.Contains("is not one of", Assert.Single(errors[nameof(SubmitRequest.Command.AfterSuccess)]));
    }

    [Fact]
    public async Task Submit_RecordsTheConversionChoicesInTheAuditEvent()
    {
        var world = await ConversionWorld.SeedAsync(Portal, RequesterApp);
        var networks = await world.AddNetworkMapAsync(Portal, "east to kvm");
        var storage = await world.AddStorageMapAsync(Portal, "east disks");

        var submitted = await SubmitAsync(Convert(world, afterSuccess: SourceAfterConversion.KeepOffAndAnnotate));

        var details = await Portal.Db(db => db.AuditEvents.AsNoTracking().Where(e => e.RequestId == submitted.Id && e.Action == AuditActions.RequestSubmitted).Select(e => e.Details).SingleAsync());
        using var json = JsonDocument.Parse(details);
        var conversion = json.RootElement.GetProperty("conversion");
        Assert.Equal(world.KvmId, conversion.GetProperty("targetConnectionId").GetGuid());
        Assert.Equal(networks.Id, conversion.GetProperty("networkMapId").GetGuid());
        Assert.Equal("east to kvm", conversion.GetProperty("networkMap").GetString());
        Assert.Equal(storage.Id, conversion.GetProperty("storageMapId").GetGuid());
        Assert.True(conversion.GetProperty("keepIdentity").GetBoolean());
        Assert.Equal("KeepOffAndAnnotate", conversion.GetProperty("afterSuccess").GetString());
        Assert.Contains(conversion.GetProperty("networks").EnumerateArray(), n => n.GetProperty("source").GetString() == ConversionWorld.ProdNetwork && n.GetProperty("target").GetString() == "br-prod");
        Assert.Contains(conversion.GetProperty("storage").EnumerateArray(), d => d.GetProperty("source").GetString() == ConversionWorld.FastStore && d.GetProperty("format").GetString() == "Qcow2");
        Assert.Contains("host kvm-a", json.RootElement.GetProperty("target").GetString());
    }

    /// <summary>The conversion world with the pair's only network and storage map, which cover every NIC and disk.</summary>
    private async Task<ConversionWorld> MappedWorldAsync()
    {
        var world = await ConversionWorld.SeedAsync(Portal, RequesterApp);
        await world.AddNetworkMapAsync(Portal, "east to kvm");
        await world.AddStorageMapAsync(Portal, "east disks");
        return world;
    }

    [Fact]
    public async Task Submit_RefusesASnapshot_WhenTheConversionAsksForOne()
    {
        var world = await MappedWorldAsync();

        var errors = await RefusedAsync(Convert(world) with { TakeSnapshot = true });

        Assert.Contains("never writes the source", Assert.Single(errors[nameof(SubmitRequest.Command.TakeSnapshot)]));
    }

    [Fact]
    public async Task Submit_RecordsNoSnapshot_WhenTheConversionLeavesTheOptionOut()
    {
        var world = await MappedWorldAsync();

        var submitted = await SubmitAsync(Convert(world) with { TakeSnapshot = null });

        // The kind's default for a conversion: the source is only read, so no safety copy of it is taken or shown.
        Assert.False((await Portal.RequestAsync(submitted.Id)).Options.TakeSnapshot);
    }

    [Fact]
    public async Task Submit_RefusesConversionChoices_WhenTheKindIsNotACrossPlatformMove()
    {
        var world = await ConversionWorld.SeedAsync(Portal, RequesterApp);
        var networks = await world.AddNetworkMapAsync(Portal, "east to kvm");

        var errors = await RefusedAsync(new SubmitRequest.Command(world.Vm.Id, MigrationKind.Compute, true, world.KvmHostId, null, "sneaky",
            TargetConnectionId: world.KvmId, NetworkMapId: networks.Id));

        Assert.Contains(errors[nameof(SubmitRequest.Command.TargetConnectionId)], m => m.Contains("Only a VMware → KVM conversion", StringComparison.Ordinal));
        Assert.Contains(errors[nameof(SubmitRequest.Command.NetworkMapId)], m => m.Contains("Only a VMware → KVM conversion", StringComparison.Ordinal));
    }
}

public sealed class SqliteConversionRequestTests() : ConversionRequestTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlConversionRequestTests() : ConversionRequestTests(DatabaseProvider.PostgreSql);
