using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Batches;

public sealed record BatchView(Guid Id, string Name, IReadOnlyList<RequestSummary> Requests);

/// <summary>
/// An application owner asks for several VMs to move together (an application's VMs often do). Every item is checked
/// and submitted like a single request; if any item fails, nothing is saved and the errors name the failing items
/// (for a VM that already has an active request, that request).
/// The dispatcher starts a batch's requests only once all of them are approved, so they are scheduled together.
/// </summary>
public sealed class SubmitBatch(IPortalDb db, SubmitRequest submit, TimeProvider time)
{
    /// <summary>
    /// One VM of the batch; a VMware → KVM item names its destination connection and, when its pair has several, its maps.
    /// <paramref name="TakeSnapshot"/> and <paramref name="RequireEncryption"/>, when given, override the batch's own for this
    /// VM (a wave from CSV sets them per row).
    /// </summary>
    public sealed record Item(Guid VmId, MigrationKind Kind, bool Live, string? TargetHostId, string? TargetDatastoreId,
        Guid? TargetConnectionId = null, Guid? NetworkMapId = null, Guid? StorageMapId = null, bool KeepIdentity = true,
        SourceAfterConversion AfterSuccess = SourceAfterConversion.KeepOffAndAnnotate, bool? TakeSnapshot = null, bool? RequireEncryption = null);

    public sealed record Command(string Name, string Justification, IReadOnlyList<Item> Items, ScheduleMode ScheduleMode = ScheduleMode.AsSoonAsApproved,
        DateTimeOffset? NotBefore = null, bool? TakeSnapshot = null, bool RequireEncryption = true, Guid? WindowId = null);

    public async Task<BatchView> HandleAsync(PortalUser user, Command command, CancellationToken ct = default, SubmissionAuthority authority = SubmissionAuthority.Owner)
    {
        var batch = await PrepareAsync(user, command, ct, authority);
        // Another node may have submitted one of these VMs since the checks: the unique index refuses the whole batch, 409.
        await db.SaveOrConflictAsync("The batch's VMs changed while you submitted. Reload and try again.", ct);
        submit.AfterSave(batch.Requests);
        return batch;
    }

    /// <summary>
    /// Checks the batch and adds it with its requests to the unit of work without saving, so a wave can submit several
    /// batches in one transaction. On any error the unit of work is discarded and the errors are thrown, keyed "Items[i].Field".
    /// </summary>
    public async Task<BatchView> PrepareAsync(PortalUser user, Command command, CancellationToken ct, SubmissionAuthority authority = SubmissionAuthority.Owner)
    {
        new Validation()
            .Text(command.Name, nameof(command.Name), TextLimits.Name, "Name the batch.")
            .Text(command.Justification, nameof(command.Justification), TextLimits.Justification)
            .Defined<ScheduleMode>(command.ScheduleMode, nameof(command.ScheduleMode))
            .Require(command.Items is { Count: > 0 }, nameof(command.Items), "Add at least one VM.")
            .Require(command.Items is null || command.Items.Select(i => i.VmId).Distinct().Count() == command.Items.Count, nameof(command.Items), "Each VM may appear once.")
            .ThrowIfInvalid();

        var batch = new Domain.Requests.MigrationBatch(command.Name.Trim(), user.Id, time.GetUtcNow());
        db.Batches.Add(batch);
        var summaries = new List<RequestSummary>();
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < command.Items!.Count; i++)
        {
            var item = command.Items[i];
            try
            {
                summaries.Add(await submit.PrepareAsync(user, new SubmitRequest.Command(item.VmId, item.Kind, item.Live, item.TargetHostId, item.TargetDatastoreId,
                    command.Justification, command.ScheduleMode, command.NotBefore, item.TakeSnapshot ?? command.TakeSnapshot, item.RequireEncryption ?? command.RequireEncryption,
                    batch.Id, command.WindowId,
                    item.TargetConnectionId, item.NetworkMapId, item.StorageMapId, item.KeepIdentity, item.AfterSuccess), ct, authority));
            }
            catch (ValidationFailedException e)
            {
                foreach (var (field, messages) in e.Errors) errors[$"Items[{i}].{field}"] = messages;
            }
            catch (Exception e) when (e is NotFoundException or ConflictException)
            {
                // A VM that already has an active request: the message names that request.
                errors[$"Items[{i}].VmId"] = [e.Message];
            }
        }

        if (errors.Count > 0)
        {
            db.DiscardChanges();
            throw new ValidationFailedException(errors);
        }

        return new BatchView(batch.Id, batch.Name, summaries);
    }
}
