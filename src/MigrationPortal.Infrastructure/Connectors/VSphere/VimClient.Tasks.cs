using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>The task watcher: starts *_Task methods and follows them with WaitForUpdatesEx on a collector of their own, or by polling.</summary>
public sealed partial class VimClient
{
    /// <summary>Calls a *_Task method and returns the task reference.</summary>
    public async Task<MoRef> StartTaskAsync(string method, MoRef target, CancellationToken ct, params object?[] arguments)
    {
        var response = await InvokeAsync(method, target, arguments, ct);
        return MoRef.Parse(response.Child("returnval") ?? throw new VimFaultException("InvalidResponse", $"vCenter returned no task for {method}."));
    }

    /// <summary>One more direct look at a task that has not started moving, before paying for a collector's update cycle.</summary>
    private static readonly TimeSpan QuickTaskRecheck = TimeSpan.FromMilliseconds(30);

    private static readonly string[] TaskPaths = ["info.state", "info.progress", "info.cancelled", "info.error", "info.result"];

    public async Task<VimTaskInfo> GetTaskInfoAsync(MoRef task, CancellationToken ct) => VimTaskInfo.From(await RetrieveObjectAsync(task, TaskPaths, ct));

    /// <summary>Asks vCenter to cancel a task; a task that already ended (InvalidState) is left alone.</summary>
    public async Task CancelTaskAsync(MoRef task, CancellationToken ct)
    {
        try
        {
            await InvokeAsync("CancelTask", task, ct);
        }
        catch (VimFaultException e) when (e.Is("InvalidState"))
        {
            // vCenter answers InvalidState both for a task that has already ended and for one it will not cancel (not
            // cancelable, or in a phase such as a vMotion's switch-over). Only the first is harmless: a refusal of a task
            // that still runs goes up to the portal, which asks again and then records the refusal with this reason.
            if (!(await GetTaskInfoAsync(task, ct)).IsFinished) throw;
            _logger.LogInformation("Task {Task} had already ended when cancel was asked.", task.Value);
        }
    }

    /// <summary>
    /// Follows a task to its end and reports every progress change. WaitForUpdatesEx on a collector of its own wakes as
    /// soon as vCenter changes the task (no busy polling); if vCenter refuses the collector or filter, it polls instead.
    /// A session that expires mid-wait is replaced once by <see cref="InvokeAsync(string, MoRef, IEnumerable{object?}, CancellationToken)"/>,
    /// and the collector (which died with the old session) is recreated.
    /// </summary>
    public async Task<VimTaskInfo> WaitForTaskAsync(MoRef task, Func<VimTaskInfo, Task>? onProgress, CancellationToken ct)
    {
        if (!_options.UseWaitForUpdates) return await PollTaskAsync(task, onProgress, ct);
        // Quick tasks (a reconfigure) are often done by the time they are looked at: one direct read saves setting up a
        // collector and waiting for its next update cycle.
        var first = await GetTaskInfoAsync(task, ct);
        if (!first.IsFinished && first.Progress == 0)
        {
            await Task.Delay(QuickTaskRecheck, ct);
            first = await GetTaskInfoAsync(task, ct);
        }

        if (first.IsFinished)
        {
            if (onProgress is not null) await onProgress(first);
            return first;
        }

        var state = new VimObject(task, []);
        var lastReported = (State: "", Progress: -1);
        async Task<VimTaskInfo?> Report()
        {
            var info = VimTaskInfo.From(state);
            if (onProgress is not null && (info.State, info.Progress) != lastReported)
            {
                lastReported = (info.State, info.Progress);
                await onProgress(info);
            }

            return info.IsFinished ? info : null;
        }

        for (var restarts = 0; ; restarts++)
        {
            MoRef collector;
            var generation = SessionGeneration;
            try
            {
                collector = MoRef.Parse((await InvokeAsync("CreatePropertyCollector", Content.PropertyCollector, ct)).Child("returnval")!);
                await InvokeAsync("CreateFilter", collector, ct,
                    Vim.E("spec", PropSet("Task", TaskPaths), Vim.E("objectSet", task.ToXml("obj"), Vim.E("skip", "false"))),
                    Vim.E("partialUpdates", "false"));
            }
            catch (VimFaultException e) when (e.FaultType is "NotImplemented" or "NotSupported" or "MethodNotFound" or "InvalidRequest")
            {
                _logger.LogInformation("vCenter refused a property filter ({Fault}); polling task {Task} instead.", e.FaultType, task.Value);
                return await PollTaskAsync(task, onProgress, ct);
            }
            catch (VimFaultException e) when (restarts < 3 && e.FaultType is "ManagedObjectNotFound" or "NotAuthenticated")
            {
                // The session ended between creating the collector and its filter: the new collector went with it.
                // The next pass signs in again (InvokeAsync does on NotAuthenticated) and makes a fresh one.
                _logger.LogInformation("Watching task {Task}: the property collector went with the session ({Fault}); starting over.", task.Value, e.FaultType);
                continue;
            }

            try
            {
                var version = "";
                while (true)
                {
                    XElement response;
                    try
                    {
                        response = await InvokeAsync("WaitForUpdatesEx", collector, ct, Vim.E("version", version),
                            Vim.E("options", Vim.E("maxWaitSeconds", (int)_options.WaitForUpdatesMaxWait.TotalSeconds)));
                    }
                    catch (VimFaultException e) when (restarts < 3 && e.FaultType is "ManagedObjectNotFound" or "NotAuthenticated" or "InvalidCollectorVersion")
                    {
                        // The collector belongs to the session: when the session has gone, vCenter reports the collector
                        // as not found (or the session as not authenticated). Reading the task directly signs in again if
                        // needed (and fails properly if the task itself is gone); then a new collector picks up from there.
                        _logger.LogInformation("Watching task {Task} lost its property collector ({Fault}); checking the session and starting over.", task.Value, e.FaultType);
                        var direct = await GetTaskInfoAsync(task, ct);
                        if (direct.IsFinished)
                        {
                            if (onProgress is not null) await onProgress(direct);
                            return direct;
                        }

                        break;
                    }

                    var set = response.Child("returnval");
                    if (set is null) continue; // maxWaitSeconds passed without a change
                    version = set.ChildValue("version") ?? version;
                    foreach (var update in set.Children("filterSet").SelectMany(f => f.Children("objectSet")))
                        foreach (var change in update.Children("changeSet"))
                            state.Set(change.ChildValue("name") ?? "", change.ChildValue("op") is "remove" or "indirectRemove" ? null : change.Child("val"));
                    if (await Report() is { } done) return done;
                }
            }
            finally
            {
                if (SessionGeneration == generation) await DestroyQuietlyAsync(collector);
            }
        }
    }

    private async Task<VimTaskInfo> PollTaskAsync(MoRef task, Func<VimTaskInfo, Task>? onProgress, CancellationToken ct)
    {
        var last = (State: "", Progress: -1);
        while (true)
        {
            var info = await GetTaskInfoAsync(task, ct);
            if (onProgress is not null && (info.State, info.Progress) != last)
            {
                last = (info.State, info.Progress);
                await onProgress(info);
            }

            if (info.IsFinished) return info;
            await Task.Delay(_options.TaskPollInterval, ct);
        }
    }

    private async Task DestroyQuietlyAsync(MoRef collector)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await SendAsync(Vim.E("DestroyPropertyCollector", collector.ToXml("_this")), cts.Token);
        }
        catch (Exception e) when (e is ConnectorException or OperationCanceledException)
        {
            _logger.LogDebug("Could not destroy property collector {Collector}: {Message}", collector.Value, e.Message);
        }
    }

    /// <summary>Runs a task to its end and throws its fault if it failed.</summary>
    public async Task<VimTaskInfo> RunTaskAsync(string method, MoRef target, CancellationToken ct, params object?[] arguments)
    {
        var task = await StartTaskAsync(method, target, ct, arguments);
        var info = await WaitForTaskAsync(task, null, ct);
        if (info.State == "error") throw info.Error ?? new VimFaultException("TaskFailed", $"vCenter task {task.Value} ({method}) failed.");
        return info;
    }
}
