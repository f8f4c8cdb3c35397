using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Requests;

namespace MigrationPortal.Application.Waves;

/// <summary>
/// Runs every wave of a file through the batch use case (each row through the same checks as a single request) in one
/// unit of work, without saving, and reports every failing row's errors keyed by row and column. Validation and
/// submission share it, so a file that validates is a file that submits. What the rows' checks read from the database
/// (VMs, connections, applications, hosts, datastores, active requests, ownership, approval rules) is loaded once for the
/// whole file first, so a file of a thousand rows costs a fixed number of queries, not several per row.
/// </summary>
public sealed class WaveBatches(IPortalDb db, SubmitBatch batches, SubmitRequest requests)
{
    public async Task<IReadOnlyList<(string Wave, BatchView Batch)>> PrepareAsync(PortalUser user, WaveFile file, CancellationToken ct)
    {
        // The same fields SubmitBatch passes on for each item; only what the lookups need matters here.
        await requests.PreloadAsync(user, file.Rows.Select(r => new SubmitRequest.Command(r.Item.VmId, r.Item.Kind, r.Item.Live, r.Item.TargetHostId,
            r.Item.TargetDatastoreId, r.Justification)).ToList(), ct);
        try
        {
            return await PrepareWavesAsync(user, file, ct);
        }
        finally
        {
            // The preloaded answers are this file's: a later use of the same scope reads the database again.
            requests.ForgetPreload();
        }
    }

    private async Task<IReadOnlyList<(string Wave, BatchView Batch)>> PrepareWavesAsync(PortalUser user, WaveFile file, CancellationToken ct)
    {
        var prepared = new List<(string, BatchView)>();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var wave in file.Waves)
        {
            var rows = wave.ToList();
            var first = rows[0];
            var command = new SubmitBatch.Command(wave.Key, first.Justification, rows.Select(r => r.Item).ToList(), first.ScheduleMode, first.NotBefore,
                WindowId: first.WindowId);
            try
            {
                prepared.Add((wave.Key, await batches.PrepareAsync(user, command, ct)));
            }
            catch (ValidationFailedException e)
            {
                foreach (var (key, messages) in e.Errors)
                {
                    // "Items[3].TargetHostId" is the wave's fourth row; a batch-wide field ("Name") is reported on its first row.
                    var (row, field) = key.StartsWith("Items[", StringComparison.Ordinal) && key.IndexOf(']') is var close and > 6
                        && int.TryParse(key.AsSpan(6, close - 6), out var index) && index < rows.Count
                        ? (rows[index].Row, key[(close + 2)..])
                        : (first.Row, key);
                    var cell = WaveColumns.Cell(row, WaveColumns.ForField(field));
                    errors[cell] = errors.TryGetValue(cell, out var earlier) ? [.. earlier, .. messages] : messages;
                }
            }
        }

        if (errors.Count > 0)
        {
            db.DiscardChanges();
            throw new ValidationFailedException(errors.OrderBy(e => RowOf(e.Key)).ThenBy(e => e.Key, StringComparer.Ordinal).ToDictionary(e => e.Key, e => e.Value));
        }

        return prepared;
    }

    private static int RowOf(string key) => key.StartsWith("Rows[", StringComparison.Ordinal) && int.TryParse(key.AsSpan(5, key.IndexOf(']') - 5), out var row) ? row : 0;
}
