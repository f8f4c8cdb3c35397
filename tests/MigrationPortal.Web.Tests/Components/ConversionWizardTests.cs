using System.Globalization;
using Bunit;
using Microsoft.AspNetCore.Components.Web;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Web.Components.Shared;
using MudBlazor;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>
/// The wizard's VMware → KVM path: the kind is offered when the VM's connection converts to some connection, the target
/// step takes the destination, its host and the maps (the pair's only map inherited, with a note), the review shows what
/// each NIC and datastore becomes, and a network the map leaves out is named beside the map before anything is sent.
/// </summary>
public sealed class ConversionWizardTests : ComponentTestContext
{
    private static readonly Guid Kvm = Guid.NewGuid();
    private static readonly Guid NetworkMap = Guid.NewGuid();
    private static readonly Guid StorageMap = Guid.NewGuid();
    private static readonly VmView Vm = new(Guid.NewGuid(), Guid.NewGuid(), "vc-east", false, "web-01", PowerState.On, "host-1", "esx-1", "C1", "ds-fast,ds-bulk", 2, 4096, 40, Guid.NewGuid(), "payments");

    private sealed class Backend(IReadOnlyList<NetworkMapping> networks) : IRequestWizardBackend
    {
        public List<SubmitRequest.Command> Submitted { get; } = [];

        public Task<IReadOnlyList<VmView>> ListVmsAsync(string? search) => Task.FromResult<IReadOnlyList<VmView>>([Vm]);

        public Task<TargetOptions> ListTargetsAsync(Guid vmId) => Task.FromResult(new TargetOptions(vmId, Vm.Name, "esx-1", "ds-fast,ds-bulk", [], [],
            ["prod-vlan-20", "backup-vlan-30"],
            [new ConversionOption(Kvm, "kvm-1", ConnectionKinds.Libvirt, [new HostOption("qemu+tls://kvm-a/system", "kvm-a", null, false, true, null, 65536)],
                [new NetworkMapOption(NetworkMap, "east to kvm", networks)],
                [new StorageMapOption(StorageMap, "east disks", [new StorageMapping("ds-fast", "images", ConvertedDiskFormat.Qcow2), new StorageMapping("ds-bulk", "bulk", ConvertedDiskFormat.Raw)])])],
            "vc-east"));

        /// <summary>What the wizard asked the windows for: the schedule step lists what covers that placement.</summary>
        public List<(string? Host, Guid? Connection)> WindowQueries { get; } = [];

        /// <summary>A window that covers the destination host only (the fake answers it when asked with the destination).</summary>
        public static readonly CalendarPeriodView KvmWindow = new(Guid.NewGuid(), "kvm nightly", Domain.Scheduling.RecurrenceKind.Cron, "0 22 * * *", "UTC",
            new DateTime(2026, 1, 1, 22, 0, 0), 120, Domain.Scheduling.WindowScopeKind.Host, Kvm, "qemu+tls://kvm-a/system", "kvm-a", true, "admin", DateTimeOffset.UnixEpoch,
            [new TimeSlot(new DateTimeOffset(2030, 1, 1, 22, 0, 0, TimeSpan.Zero), new DateTimeOffset(2030, 1, 2, 0, 0, 0, TimeSpan.Zero))]);

        public Task<CalendarPeriods> ListWindowsAsync(Guid vmId, string? targetHostId, Guid? targetConnectionId)
        {
            WindowQueries.Add((targetHostId, targetConnectionId));
            return Task.FromResult(new CalendarPeriods(targetConnectionId == Kvm && targetHostId == KvmWindow.ScopeKey ? [KvmWindow] : [], []));
        }

        public Task<RequestPreview> PreviewAsync(SubmitRequest.Command command) =>
            Task.FromResult(new RequestPreview([], new ApprovalRequirement(ApprovalOutcome.RequireApprovals, 1, null, "Default: one approval."), null, null, TimeSpan.FromMinutes(5), "12 GiB of disk"));

        public Task<Guid> SubmitAsync(IReadOnlyList<SubmitRequest.Command> commands, string batchName)
        {
            Submitted.AddRange(commands);
            return Task.FromResult(Guid.NewGuid());
        }
    }

    private static readonly NetworkMapping[] AllNetworks =
        [new("prod-vlan-20", NetworkTargetKind.Bridge, "br-prod"), new("backup-vlan-30", NetworkTargetKind.Network, "backup")];

    private static int StepOf(IRenderedComponent<RequestWizard> cut) => int.Parse(cut.Find("[data-testid=wizard]").GetAttribute("data-step")!, CultureInfo.InvariantCulture);

    private static Task Next(IRenderedComponent<RequestWizard> cut) => cut.Find("button[data-testid=next]").ClickAsync(new MouseEventArgs());

    private static Task Choose<T>(IRenderedComponent<RequestWizard> cut, string testId, T value)
    {
        var select = cut.FindComponents<MudSelect<T>>().Single(s => Equals(s.Instance.UserAttributes.GetValueOrDefault("data-testid"), testId));
        return cut.InvokeAsync(() => select.Instance.SelectOption(value));
    }

    /// <summary>Chooses the VM, then VMware → KVM, then the destination and its host: the target step, filled in.</summary>
    private static async Task ToFilledTarget(IRenderedComponent<RequestWizard> cut)
    {
        await Choose(cut, "vm-select", Vm.Id);
        await Next(cut);
        cut.FindComponents<MudRadio<MigrationKind>>().Single(r => r.Find("*").TextContent.Trim().StartsWith("VMware → KVM", StringComparison.Ordinal)).Find("input").Click();
        await Next(cut);
        await Choose<Guid?>(cut, "destination-select", Kvm);
        await Choose<string>(cut, "host-select", "qemu+tls://kvm-a/system");
    }

    [Fact]
    public async Task Review_ShowsWhatEachNicAndDatastoreBecomes_WhenTheMapsAreInherited()
    {
        var backend = new Backend(AllNetworks);
        var cut = Render<RequestWizard>(p => p.Add(c => c.Backend, backend));

        await ToFilledTarget(cut);
        Assert.NotEmpty(cut.FindAll("[data-testid=network-map-inherited]"));
        Assert.NotEmpty(cut.FindAll("[data-testid=storage-map-inherited]"));
        await Next(cut);
        await Next(cut);
        cut.Find("[data-testid=justification] textarea, textarea[data-testid=justification], [data-testid=justification] input").Input("Leaving VMware");
        await Next(cut);

        var nics = cut.FindAll("[data-testid=nic-row]").Select(r => string.Join(" | ", r.QuerySelectorAll("td").Select(td => td.TextContent.Trim()))).ToList();
        Assert.Equal(["prod-vlan-20 | bridge br-prod", "backup-vlan-30 | network backup"], nics);
        var disks = cut.FindAll("[data-testid=disk-row]").Select(r => string.Join(" | ", r.QuerySelectorAll("td").Select(td => td.TextContent.Trim()))).ToList();
        Assert.Equal(["ds-fast | images | qcow2", "ds-bulk | bulk | raw"], disks);

        await cut.Find("button[data-testid=submit]").ClickAsync(new MouseEventArgs());
        var sent = Assert.Single(backend.Submitted);
        Assert.Equal((MigrationKind.CrossPlatform, false, Kvm, "qemu+tls://kvm-a/system", (string?)null), (sent.Kind, sent.Live, sent.TargetConnectionId, sent.TargetHostId, sent.TargetDatastoreId));
        Assert.True(sent.KeepIdentity);
        Assert.Equal(SourceAfterConversion.KeepOffAndAnnotate, sent.AfterSuccess);
    }

    [Fact]
    public async Task TargetStep_NamesTheUnmappedNetworkBesideTheMap_AndStays()
    {
        var backend = new Backend([AllNetworks[0]]);
        var cut = Render<RequestWizard>(p => p.Add(c => c.Backend, backend));

        await ToFilledTarget(cut);
        var target = StepOf(cut);
        await Next(cut);

        Assert.Equal(target, StepOf(cut));
        var select = cut.FindComponents<MudSelect<Guid?>>().Single(s => Equals(s.Instance.UserAttributes.GetValueOrDefault("data-testid"), "network-map-select"));
        // Beside the field: the select's own helper line carries the message.
        Assert.Contains("'backup-vlan-30'", select.Find(".mud-input-helper-text").TextContent);
        Assert.Empty(backend.Submitted);
    }

    /// <summary>A conversion with every map in place, at its schedule step.</summary>
    private async Task<(IRenderedComponent<RequestWizard> Cut, Backend Backend)> AtScheduleStepAsync()
    {
        var backend = new Backend(AllNetworks);
        var cut = Render<RequestWizard>(p => p.Add(c => c.Backend, backend));
        await ToFilledTarget(cut);
        await Next(cut);
        return (cut, backend);
    }

    [Fact]
    public async Task ScheduleStep_HidesTheSnapshotSwitchAndSendsNoSnapshot_WhenConverting()
    {
        var (cut, backend) = await AtScheduleStepAsync();

        Assert.DoesNotContain(cut.FindComponents<MudSwitch<bool>>(), s => Equals(s.Instance.UserAttributes.GetValueOrDefault("data-testid"), "take-snapshot"));
        Assert.Contains("never writes the source", cut.Find("[data-testid=no-snapshot]").TextContent);
        await Next(cut);
        cut.Find("[data-testid=justification] textarea, textarea[data-testid=justification], [data-testid=justification] input").Input("Leaving VMware");
        await Next(cut);
        await cut.Find("button[data-testid=submit]").ClickAsync(new MouseEventArgs());
        // Left out, not "false": the kind's default, and an explicit "true" would be refused by the server.
        Assert.Null(Assert.Single(backend.Submitted).TakeSnapshot);
    }

    [Fact]
    public async Task ScheduleStep_ListsTheDestinationHostsWindows_WhenConverting()
    {
        var (cut, backend) = await AtScheduleStepAsync();

        Assert.Equal(("qemu+tls://kvm-a/system", (Guid?)Kvm), Assert.Single(backend.WindowQueries));
        Assert.Contains("'kvm nightly' (host kvm-a)", cut.Find("[data-testid=window-required]").TextContent);
        Assert.Contains("both sides", cut.Find("[data-testid=conversion-windows]").TextContent);
        // Covered by a window: "as soon as approved" is off, and the next window is chosen for the user.
        Assert.True(cut.FindComponents<MudRadio<ScheduleMode>>().Single(r => r.Find("*").TextContent.Trim().StartsWith("As soon as approved", StringComparison.Ordinal)).Find("input").HasAttribute("disabled"));
    }
}
