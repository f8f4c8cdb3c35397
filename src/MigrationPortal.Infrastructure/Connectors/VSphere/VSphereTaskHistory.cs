using System.Collections.Frozen;
using System.Globalization;
using System.Xml.Linq;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>
/// Answers "did a transfer of this VM start after the portal recorded its intent?" from vCenter's own task history: the
/// VM's <c>recentTask</c> and <c>TaskManager.recentTask</c> (vCenter fills both; govmomi's simulator only the second). This
/// is how a run whose start call got no reply (the process died, the reply was lost, or saving the task ID failed) adopts
/// the task instead of starting a second one. Every doubt answers <see cref="OperationLookupResult.Unknown"/>: only a
/// history that certainly reaches back past the intent may answer <see cref="OperationLookupResult.NotFound"/>.
/// </summary>
internal static class VSphereTaskHistory
{
    /// <summary>
    /// Task kinds (<c>info.descriptionId</c>) that move a VM, in both vocabularies: vCenter's method ids, and those of
    /// govmomi's simulator, which writes the entity type plus the method name without <c>_Task</c>.
    /// </summary>
    internal static readonly FrozenDictionary<string, string> TransferKinds = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["VirtualMachine.relocate"] = "RelocateVM_Task",
        ["VirtualMachine.migrate"] = "MigrateVM_Task",
        ["VirtualMachine.RelocateVM"] = "RelocateVM_Task",
        ["VirtualMachine.MigrateVM"] = "MigrateVM_Task",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// How many tasks <c>TaskManager.recentTask</c> holds at most (vCenter and its simulator both keep 200). A full list
    /// whose oldest task is newer than the intent may have dropped the one sought.
    /// </summary>
    internal const int RecentTaskCapacity = 200;

    private static readonly string[] TaskPaths = ["info.entity", "info.descriptionId", "info.name", "info.queueTime", "info.state"];

    private sealed record TaskEntry(MoRef Ref, MoRef? Entity, string? DescriptionId, DateTimeOffset? QueueTime, string State)
    {
        public string Describe() =>
            $"{Ref.Value} ({DescriptionId}, queued {(QueueTime is { } q ? q.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : "at an unknown time")}, {State})";
    }

    public static async Task<OperationLookup> FindTransferAsync(VimClient client, string where, MoRef vm, string vmName, DateTimeOffset startedAfter,
        VSphereOptions options, TimeProvider time, CancellationToken ct)
    {
        // vCenter stamps queueTime with its own clock. Measure how far it is from the portal's now, and move the intent
        // (portal clock) onto vCenter's clock; half the round trip bounds the error of that measurement, and the tolerance
        // covers the rest (the clocks drifting or being stepped between the intent and this lookup).
        var before = time.GetUtcNow();
        var vcenterNow = await CurrentTimeAsync(client, ct);
        var after = time.GetUtcNow();
        var halfRoundTrip = (after - before) / 2;
        var offset = vcenterNow - (before + halfRoundTrip);
        var intentOnVCenter = startedAfter + offset;
        var lowerBound = intentOnVCenter - options.TaskLookupClockTolerance - halfRoundTrip;
        var age = vcenterNow - intentOnVCenter;

        var (managerList, tasks) = await RecentTasksAsync(client, vm, ct);
        var transfers = tasks.Where(t => t.Entity == vm && t.DescriptionId is { } d && TransferKinds.ContainsKey(d)).ToList();
        var undated = transfers.Where(t => t.QueueTime is null).ToList();
        if (undated.Count > 0)
            return OperationLookup.Unknown($"vCenter {where} lists transfer task(s) of {vmName} without a queue time: {string.Join(", ", undated.Select(t => t.Describe()))}; whether one is this request's cannot be told.");

        var since = transfers.Where(t => t.QueueTime >= lowerBound).OrderBy(t => t.QueueTime).ToList();
        var bound = $"{Stamp(lowerBound)} by vCenter's clock (the intent {Stamp(startedAfter)} on the portal's clock, vCenter's clock {Skew(offset)}, {options.TaskLookupClockTolerance.TotalSeconds:0.#} s tolerance)";
        var seen = since.Count == 0 ? "no transfer" : $"{since.Count} transfer(s) ({string.Join(", ", since.Select(t => t.Describe()))})";

        // Any answer, even a single task found, holds only while the history reaches back past the intent: a task of this
        // request dropped from the list could leave one of someone else's looking like the only one.
        if (age > options.TaskHistoryWindow)
            return OperationLookup.Unknown(
                $"vCenter {where} lists {seen} of {vmName} since {bound}, but the intent is {age.TotalMinutes:0.#} min old by vCenter's clock: vCenter drops finished tasks from its recent tasks after about 10 minutes, and the portal trusts that list for {options.TaskHistoryWindow.TotalMinutes:0.#} min (VSphere:TaskHistoryWindow).");
        var dated = tasks.Where(t => managerList.Contains(t.Ref) && t.QueueTime is not null).ToList();
        if (managerList.Count >= RecentTaskCapacity && (dated.Count == 0 || dated.Min(t => t.QueueTime) > lowerBound))
            return OperationLookup.Unknown(
                $"vCenter {where} lists {seen} of {vmName} since {bound}, but its recent-task list is full ({managerList.Count} tasks) and its oldest task is newer than the intent: a task may have been pushed out.");

        return since.Count switch
        {
            0 => OperationLookup.NotFound(
                $"vCenter {where} lists no RelocateVM_Task or MigrateVM_Task of {vmName} queued since {bound}; {tasks.Count} recent task(s) checked, the intent is {age.TotalSeconds:0} s old."),
            1 => OperationLookup.Found(since[0].Ref.Value, $"vCenter {where} lists task {since[0].Describe()} on {vmName}, queued since {bound}."),
            _ => OperationLookup.Unknown($"vCenter {where} lists {seen} of {vmName} queued since {bound}; which one is this request's cannot be told."),
        };
    }

    /// <summary>ServiceInstance.CurrentTime: vCenter's clock.</summary>
    private static async Task<DateTimeOffset> CurrentTimeAsync(VimClient client, CancellationToken ct)
    {
        var response = await client.InvokeAsync("CurrentTime", new MoRef("ServiceInstance", "ServiceInstance"), ct);
        return ParseTime(response.ChildValue("returnval"))
            ?? throw new VimFaultException("InvalidResponse", "vCenter answered CurrentTime without a readable time.");
    }

    /// <summary>
    /// One RetrievePropertiesEx: the TaskManager's and the VM's recentTask lists, and through them every listed task's info.
    /// Returns the TaskManager's list (to judge whether it is full) and the tasks of both lists.
    /// </summary>
    private static async Task<(HashSet<MoRef> ManagerList, List<TaskEntry> Tasks)> RecentTasksAsync(VimClient client, MoRef vm, CancellationToken ct)
    {
        var taskManager = client.Content.TaskManager ?? new MoRef("TaskManager", "TaskManager");
        var objects = await client.RetrieveAsync(
            [VimClient.PropSet("TaskManager", ["recentTask"]), VimClient.PropSet("VirtualMachine", ["recentTask"]), VimClient.PropSet("Task", TaskPaths)],
            [Through(taskManager, "TaskManager"), Through(vm, "VirtualMachine")], null, ct);
        var managerList = objects.FirstOrDefault(o => o.Ref == taskManager)?.RefsOf("recentTask").ToHashSet() ?? [];
        var tasks = objects.Where(o => o.Ref.Type == "Task").DistinctBy(o => o.Ref)
            .Select(o => new TaskEntry(o.Ref, o.RefOf("info.entity"), o.String("info.descriptionId"), ParseTime(o.String("info.queueTime")), o.String("info.state") ?? "queued"))
            .ToList();
        return (managerList, tasks);

        static XElement Through(MoRef start, string type) => Vim.E("objectSet", start.ToXml("obj"), Vim.E("skip", "false"),
            Vim.E("selectSet", new XAttribute(Vim.Xsi + "type", "TraversalSpec"), Vim.E("name", $"{type}.recentTask"), Vim.E("type", type), Vim.E("path", "recentTask"), Vim.E("skip", "false")));
    }

    private static DateTimeOffset? ParseTime(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Skew(TimeSpan offset) => offset >= TimeSpan.Zero
        ? string.Create(CultureInfo.InvariantCulture, $"{offset.TotalSeconds:0.###} s ahead of the portal's")
        : string.Create(CultureInfo.InvariantCulture, $"{-offset.TotalSeconds:0.###} s behind the portal's");
}
