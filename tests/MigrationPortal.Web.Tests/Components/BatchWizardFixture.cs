using System.Globalization;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Web.Components.Shared;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>
/// A two-cluster inventory for the wizard's batch tests: C1 (esx-1, esx-2, esx-5; ds-1 and ds-2 mounted on each) and C2
/// (esx-3, esx-4; ds-3 and ds-4). vm-a runs on esx-1 and vm-c on esx-2 (both on ds-1), vm-b on esx-3 (ds-3).
/// </summary>
public sealed class BatchWizardBackend : IRequestWizardBackend
{
    public static readonly VmView VmA = Vm("vm-a", "h1", "esx-1", "C1", "ds-1");
    public static readonly VmView VmB = Vm("vm-b", "h3", "esx-3", "C2", "ds-3");
    public static readonly VmView VmC = Vm("vm-c", "h2", "esx-2", "C1", "ds-1");

    private static VmView Vm(string name, string hostId, string host, string cluster, string datastore) =>
        new(Guid.NewGuid(), Guid.NewGuid(), "vCenter", false, name, PowerState.On, hostId, host, cluster, datastore, 2, 4096, 40, Guid.NewGuid(), "payments", "vsphere");

    private static readonly (string Id, string Name, string Cluster)[] Hosts = [("h1", "esx-1", "C1"), ("h2", "esx-2", "C1"), ("h5", "esx-5", "C1"), ("h3", "esx-3", "C2"), ("h4", "esx-4", "C2")];

    /// <summary>Free memory per host (GiB): the proposal takes the most free one of the VM's own cluster.</summary>
    private static readonly Dictionary<string, long> FreeGb = new() { ["h1"] = 100, ["h2"] = 90, ["h5"] = 60, ["h3"] = 80, ["h4"] = 70 };

    private static readonly (string Id, string[] Mounted)[] Stores = [("ds-1", ["h1", "h2", "h5"]), ("ds-2", ["h1", "h2", "h5"]), ("ds-3", ["h3", "h4"]), ("ds-4", ["h3", "h4"])];

    public List<VmView> Vms { get; } = [VmA, VmB, VmC];

    /// <summary>Every preview asked for, in order: what the prechecks were run with.</summary>
    public List<SubmitRequest.Command> Previewed { get; } = [];

    /// <summary>The findings a preview returns for a command; none unless a test says otherwise.</summary>
    public Func<SubmitRequest.Command, IReadOnlyList<PrecheckFinding>> FindingsFor { get; set; } = _ => [];

    public List<SubmitRequest.Command> Submitted { get; } = [];

    public ValidationFailedException? RejectWith { get; set; }

    public Guid BatchId { get; } = Guid.NewGuid();

    public Task<IReadOnlyList<VmView>> ListVmsAsync(string? search) => Task.FromResult<IReadOnlyList<VmView>>(Vms.ToList());

    public Task<TargetOptions> ListTargetsAsync(Guid vmId) => Task.FromResult(new TargetOptions(vmId, Vms.First(v => v.Id == vmId).Name, null, "", [], []));

    public Task<IReadOnlyList<VmTargetChoices>> ListPlacementsAsync(IReadOnlyList<Guid> vmIds) =>
        Task.FromResult<IReadOnlyList<VmTargetChoices>>(vmIds.Select(id => Vms.First(v => v.Id == id)).Select(vm => new VmTargetChoices(vm.Id, vm.Name, vm.ClusterName, vm.HostExternalId, vm.HostName,
            [vm.Datastores],
            Hosts.Select(h => new PlacementHost(h.Id, h.Name, h.Cluster, h.Cluster == vm.ClusterName, h.Id == vm.HostExternalId, true, null, FreeGb[h.Id] * 1024,
                Stores.Single(s => s.Id == vm.Datastores).Mounted.Contains(h.Id))).ToList(),
            Stores.Select(s => new PlacementDatastore(s.Id, s.Id, 500, 40, true, s.Id == vm.Datastores, s.Mounted)).ToList())).ToList());

    public Task<CalendarPeriods> ListWindowsAsync(Guid vmId, string? targetHostId, Guid? targetConnectionId) => Task.FromResult(new CalendarPeriods([], []));

    public Task<RequestPreview> PreviewAsync(SubmitRequest.Command command)
    {
        Previewed.Add(command);
        return Task.FromResult(new RequestPreview(FindingsFor(command), new ApprovalRequirement(ApprovalOutcome.RequireApprovals, 1, "payments-approvers", $"Rule 'payments' requires 1 approval(s) from group 'payments-approvers'."),
            command.NotBefore ?? new DateTimeOffset(2026, 6, 1, 12, 5, 0, TimeSpan.Zero), "As soon as approved.", TimeSpan.FromMinutes(2), "4 GiB of memory at 100 MB/s"));
    }

    public Task<Guid> SubmitAsync(IReadOnlyList<SubmitRequest.Command> commands, string batchName)
    {
        if (RejectWith is not null) throw RejectWith;
        Submitted.AddRange(commands);
        return Task.FromResult(commands.Count > 1 ? BatchId : Guid.NewGuid());
    }
}

/// <summary>Drives the wizard as a user does: through its inputs (found by data-testid) and its buttons.</summary>
public abstract class BatchWizardTestContext : ComponentTestContext
{
    /// <summary>The wizard's clock: noon UTC on a fixed day.</summary>
    protected static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    protected BatchWizardBackend Backend { get; } = new();

    protected List<Guid> OpenedRequests { get; } = [];

    protected List<Guid> OpenedBatches { get; } = [];

    protected IRenderedComponent<RequestWizard> RenderWizard() =>
        Render<RequestWizard>(p => p.Add(c => c.Backend, Backend).Add(c => c.OnSubmitted, id => OpenedRequests.Add(id))
            .Add(c => c.OnBatchSubmitted, id => OpenedBatches.Add(id)).Add(c => c.Time, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now)));

    protected static int StepOf(IRenderedComponent<RequestWizard> cut) => int.Parse(cut.Find("[data-testid=wizard]").GetAttribute("data-step")!, CultureInfo.InvariantCulture);

    protected static Task Next(IRenderedComponent<RequestWizard> cut) => cut.Find("button[data-testid=next]").ClickAsync(new MouseEventArgs());

    protected static Task Submit(IRenderedComponent<RequestWizard> cut) => cut.Find("button[data-testid=submit]").ClickAsync(new MouseEventArgs());

    protected static MudSelect<T> Select<T>(IRenderedComponent<RequestWizard> cut, string testId, Guid? vm = null) =>
        cut.FindComponents<MudSelect<T>>().Single(s => Equals(s.Instance.UserAttributes.GetValueOrDefault("data-testid"), testId)
            && (vm is null || Equals(s.Instance.UserAttributes.GetValueOrDefault("data-vm"), vm))).Instance;

    protected static Task Choose<T>(IRenderedComponent<RequestWizard> cut, string testId, T value, Guid? vm = null)
    {
        var select = Select<T>(cut, testId, vm);
        return cut.InvokeAsync(() => select.SelectOption(value));
    }

    /// <summary>The table row of a VM at the target step.</summary>
    protected static IElement Row(IRenderedComponent<RequestWizard> cut, VmView vm) => cut.Find($"[data-testid=target-row][data-vm-name={vm.Name}]");

    /// <summary>What a select shows the user (its input's text).</summary>
    protected static string Shown(IElement row, string testId) => (row.QuerySelector($"input[data-testid={testId}], [data-testid={testId}] input") ?? throw new InvalidOperationException($"no {testId} input in the row: {row.OuterHtml}")).GetAttribute("value") ?? "";

    /// <summary>The VMs chosen, then on through the kind step (with that kind) to the target table.</summary>
    protected static async Task ToTargets(IRenderedComponent<RequestWizard> cut, MigrationKind kind, params VmView[] vms)
    {
        foreach (var vm in vms) await Choose(cut, "vm-select", vm.Id);
        await Next(cut);
        if (kind != MigrationKind.Compute)
            cut.FindComponents<MudRadio<MigrationKind>>().Single(r => r.Find("*").TextContent.Trim().StartsWith(KindLabels[kind], StringComparison.Ordinal)).Find("input").Click();
        await Next(cut);
        Assert.Equal(2, StepOf(cut));
    }

    private static readonly Dictionary<MigrationKind, string> KindLabels = new()
    {
        [MigrationKind.Storage] = "Storage (",
        [MigrationKind.ComputeAndStorage] = "Compute and storage",
    };

    protected static void Type(IRenderedComponent<RequestWizard> cut, string testId, string text) =>
        cut.Find($"[data-testid={testId}] input, input[data-testid={testId}], [data-testid={testId}] textarea, textarea[data-testid={testId}]").Input(text);

    protected static void TypeAndLeave(IRenderedComponent<RequestWizard> cut, string testId, string text) =>
        cut.Find($"[data-testid={testId}] input, input[data-testid={testId}]").Change(text);

    /// <summary>From the target table on: schedule as it is, the justification, to the review.</summary>
    protected static async Task TargetsToReview(IRenderedComponent<RequestWizard> cut, string justification = "Rack 12 is retired")
    {
        await Next(cut);
        await Next(cut);
        Type(cut, "justification", justification);
        await Next(cut);
        Assert.Equal(5, StepOf(cut));
    }
}
