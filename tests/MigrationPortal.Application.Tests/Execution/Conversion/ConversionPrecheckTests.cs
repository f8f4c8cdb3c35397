using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Domain.Requests.ItinerarySteps;

namespace MigrationPortal.Application.Tests.Execution.Conversion;

/// <summary>
/// Each conversion precheck blocks (or only warns) before the source is touched: the run's precheck step fails with the
/// finding's words, the source is not shut down, and nothing is made on the destination.
/// </summary>
public abstract class ConversionPrecheckTests(DatabaseProvider provider) : ConversionRunTestBase(provider)
{
    private async Task<MigrationRequest> BlockedAsync(Guid id, string expected)
    {
        await RunAsync(id);
        var request = await LoadAsync(id);
        Assert.Equal(RequestState.Failed, request.State);
        Assert.Equal(StepStatus.Failed, request.FindStep(Precheck)!.Status);
        Assert.Contains(expected, request.FailureReason);
        Assert.Null(request.FindStep(StorePowerState));
        Assert.DoesNotContain(World.Calls, c => c.StartsWith("shut-down", StringComparison.Ordinal) || c.StartsWith("begin-export", StringComparison.Ordinal));
        Assert.Equal(PowerState.On, World.SourcePower);
        Assert.Empty(World.Volumes);
        Assert.Contains("the source was not touched", StepMessage(request, CommitOrRollBack));
        return request;
    }

    [Fact]
    public async Task Precheck_BlocksWithWhy_WhenTheVmHasSnapshots()
    {
        World.Vm = World.Vm with { SnapshotCount = 2 };
        await BlockedAsync(await SubmitConversionAsync(), "has 2 snapshot(s). The export reads the disks' current state through their snapshot chain");
    }

    [Fact]
    public async Task Precheck_Blocks_WhenADiskIsARawDeviceMapping()
    {
        World.Vm = World.Vm with { Disks = [World.Vm.Disks[0], World.Vm.Disks[1] with { Backing = DiskBacking.RawDeviceMapping }] };
        await BlockedAsync(await SubmitConversionAsync(), "Hard disk 2 ([datastore1] web-01/web-01_1.vmdk) is a raw device mapping");
    }

    [Fact]
    public async Task Precheck_Blocks_WhenADiskIsIndependent()
    {
        World.Vm = World.Vm with { Disks = [World.Vm.Disks[0] with { Independent = true }] };
        await BlockedAsync(await SubmitConversionAsync(), "Hard disk 1 ([datastore1] web-01/web-01.vmdk) is independent");
    }

    [Fact]
    public async Task Precheck_Blocks_WhenAWindowsGuestHasNoVirtioDriversConfigured()
    {
        World.Vm = World.Vm with { GuestId = "windows2019srv_64Guest", GuestFullName = "Microsoft Windows Server 2019 (64-bit)" };
        await BlockedAsync(await SubmitConversionAsync(), "a Windows guest needs virtio drivers injected");
    }

    [Fact]
    public async Task Precheck_Blocks_WhenThePoolHasLessRoomThanTheDisksMappedToIt()
    {
        // 64 MiB + 32 MiB of capacity against 90 MiB free: each disk would fit alone, the sum does not.
        World.PoolSpace = World.PoolSpace with { AvailableBytes = 90L * 1024 * 1024 };
        await BlockedAsync(await SubmitConversionAsync(), "Pool 'images' has 90 MiB free, and the disks mapped to it need 96 MiB");
        Assert.Contains("pool-space images", World.Calls);
    }

    [Fact]
    public async Task Precheck_Blocks_WhenANicsNetworkHasNoMapping()
    {
        World.Vm = World.Vm with { Nics = [.. World.Vm.Nics, new ConvertibleNic("Network adapter 2", "00:50:56:aa:bb:dd", "Backup VLAN", "e1000")] };
        await BlockedAsync(await SubmitConversionAsync(), "Network adapter 2 (00:50:56:aa:bb:dd) is on network 'Backup VLAN', which the network map does not map");
    }

    [Fact]
    public async Task Precheck_Blocks_WhenTheMappedNetworkIsMissingOnTheTargetHost()
    {
        World.Networks.Clear();
        await BlockedAsync(await SubmitConversionAsync(), "The mapped network 'default' is not on the target host: no network or bridge named default");
    }

    [Fact]
    public async Task Precheck_Blocks_WhenTheTargetNameIsTaken()
    {
        World.Domains["web-01"] = "00000000-0000-0000-0000-000000000001";
        await BlockedAsync(await SubmitConversionAsync(), "already has a domain named 'web-01'");
        Assert.Equal(["web-01"], World.Domains.Keys); // the other domain is left alone by the roll-back
    }

    [Fact]
    public async Task Precheck_Blocks_WhenTheKeptUuidIsTaken()
    {
        World.Domains["db-07"] = World.Vm.BiosUuid;
        await BlockedAsync(await SubmitConversionAsync(), $"already has a domain with UUID {World.Vm.BiosUuid}");
    }

    [Fact]
    public async Task Precheck_IgnoresATakenUuid_WhenTheRequestDoesNotKeepIdentity()
    {
        World.Domains["db-07"] = World.Vm.BiosUuid;
        var id = await SubmitConversionAsync(Mapping(keepIdentity: false));

        await RunAsync(id);

        Assert.Equal(RequestState.Succeeded, (await LoadAsync(id)).State);
        Assert.Null(World.Domains["web-01"]);
        Assert.All(World.LastSpec!.Nics, n => Assert.Null(n.MacAddress));
    }

    [Fact]
    public async Task Precheck_BlocksUnencrypted_WhenVCenterIsNotPinnedAndNoPolicyAllowsIt()
    {
        await BlockedAsync(await SubmitConversionAsync(pinned: false), "HTTPS NOT pinned");
    }

    [Fact]
    public async Task Precheck_BlocksUnencrypted_WhenLibvirtIsNotReachedOverTls()
    {
        await BlockedAsync(await SubmitConversionAsync(targetHost: "qemu+ssh://kvm-b.lab/system"), "NOT TLS (qemu+ssh://kvm-b.lab/system)");
    }

    [Fact]
    public async Task Precheck_WarnsAndRecordsThePolicy_WhenAnUnprotectedLegIsAllowedByTheConnectionsPolicy()
    {
        var id = await SubmitConversionAsync(pinned: false, allowUnencrypted: true);

        await RunAsync(id);

        var request = await LoadAsync(id);
        Assert.Equal(RequestState.Succeeded, request.State);
        Assert.Contains("[Warning] Encryption:", StepMessage(request, Precheck));
        Assert.Contains("Allowed by the connection's administrator policy", request.EncryptionApplied);
    }

    [Fact]
    public async Task Precheck_SaysBothLegsAreTls_WhenVCenterIsPinnedAndLibvirtUsesTls()
    {
        var id = await SubmitConversionAsync();

        await RunAsync(id);

        var message = StepMessage(await LoadAsync(id), Precheck)!;
        Assert.Contains("[Advisory] Encryption: vCenter 'vc-lab' to the portal: HTTPS pinned to thumbprint AB:CD", message);
        Assert.Contains("the portal to libvirt: TLS (qemu+tls://kvm-b.lab/system)", message);
    }

    [Fact]
    public async Task Precheck_WarnsWithoutBlocking_WhenTheVmBootsWithEfiAndTheDestinationHasNoOvmf()
    {
        World.Vm = World.Vm with { Firmware = Firmware.Efi };
        var id = await SubmitConversionAsync();

        await RunAsync(id);

        var request = await LoadAsync(id);
        Assert.Equal(RequestState.Succeeded, request.State);
        Assert.Contains("[Warning] VM 'web-01' boots with EFI", StepMessage(request, Precheck));
    }
}

public sealed class SqliteConversionPrecheckTests() : ConversionPrecheckTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlConversionPrecheckTests() : ConversionPrecheckTests(DatabaseProvider.PostgreSql);
