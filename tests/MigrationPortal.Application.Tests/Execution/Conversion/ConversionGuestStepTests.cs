using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Domain.Requests.ItinerarySteps;

namespace MigrationPortal.Application.Tests.Execution.Conversion;

/// <summary>The convert-guest step with Conversion:VirtV2v:Enabled, on a fake converter: converted, refused, and not needed.</summary>
public abstract class ConversionGuestStepTests(DatabaseProvider provider) : ConversionRunTestBase(provider)
{
    private readonly FakeGuestConverter converter = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Conversion:VirtV2v:Enabled"] = "true",
    };

    protected override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        services.AddSingleton<IGuestConverter>(converter);
    }

    [Fact]
    public async Task RunMigration_ConvertsTheGuestOnTheCopiedVolumes_WhenVirtV2vIsEnabled()
    {
        var id = await SubmitConversionAsync();

        await RunAsync(id);

        var request = await LoadAsync(id);
        Assert.Equal(RequestState.Succeeded, request.State);
        Assert.Equal(StepStatus.Succeeded, request.FindStep(ConvertGuest)!.Status);
        Assert.Equal(["web-01-disk0", "web-01-disk1"], Assert.Single(converter.Calls).Select(v => v.Name));
        Assert.Contains("grub.cfg boots by UUID", StepMessage(request, ConvertGuest), StringComparison.Ordinal);
        Assert.True(request.FindStep(ConvertGuest)!.StartedAt <= request.FindStep(DefineDomain)!.StartedAt);
    }

    [Fact]
    public async Task RunMigration_RollsBackNamingTheLine_WhenTheConvertedGuestStillBootsByDeviceName()
    {
        converter.Result = new GuestConversionResult(false, "/boot/grub/grub.cfg line 13 still boots by device name (/dev/sdb1): 'linux /vmlinuz root=/dev/sdb1 ro'.");
        var id = await SubmitConversionAsync();

        await RunAsync(id);

        var request = await LoadAsync(id);
        Assert.Equal(RequestState.Failed, request.State);
        Assert.Equal(StepStatus.Failed, request.FindStep(ConvertGuest)!.Status);
        Assert.Contains("root=/dev/sdb1", StepMessage(request, ConvertGuest), StringComparison.Ordinal);
        Assert.Null(request.FindStep(DefineDomain)); // never cut over to an unbootable domain
        Assert.Empty(World.Domains);
        Assert.Empty(World.Volumes);
        Assert.Equal(PowerState.On, World.SourcePower);
    }

    [Fact]
    public async Task RunMigration_RecordsNotNeededWithoutConverting_WhenTheGuestIsNeitherLinuxNorWindows()
    {
        World.Vm = World.Vm with { GuestId = "freebsd13_64Guest", GuestFullName = "FreeBSD 13 (64-bit)" };
        var id = await SubmitConversionAsync();

        await RunAsync(id);

        var request = await LoadAsync(id);
        Assert.Equal(RequestState.Succeeded, request.State);
        Assert.Empty(converter.Calls);
        Assert.Equal(StepStatus.Succeeded, request.FindStep(ConvertGuest)!.Status);
        Assert.StartsWith("Not needed: FreeBSD 13 (64-bit)", StepMessage(request, ConvertGuest), StringComparison.Ordinal);
    }

    private sealed class FakeGuestConverter : IGuestConverter
    {
        public ConcurrentQueue<IReadOnlyList<VolumeRef>> Calls { get; } = new();

        public GuestConversionResult Result { get; set; } = new(true, "Converted; /boot/grub/grub.cfg boots by UUID.");

        public Task<GuestConversionResult> ConvertAsync(MigrationPlan plan, IReadOnlyList<VolumeRef> volumes, CancellationToken ct)
        {
            Calls.Enqueue(volumes);
            return Task.FromResult(Result);
        }
    }
}

public sealed class SqliteConversionGuestStepTests() : ConversionGuestStepTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlConversionGuestStepTests() : ConversionGuestStepTests(DatabaseProvider.PostgreSql);
