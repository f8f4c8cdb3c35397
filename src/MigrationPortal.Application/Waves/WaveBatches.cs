using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Common;

namespace MigrationPortal.Application.Waves;

/// <summary>
/// Runs every wave of a file through the batch use case (each row through the same checks as a single request) in one
/// unit of work, without saving, and reports every failing row's errors keyed by row and column. Validation and
/// submission share it, so a file that validates is a file that submits.
/// </summary>
public sealed class WaveBatches(IPortalDb db, SubmitBatch batches)
{
    public async Task<IReadOnlyList<(string Wave, BatchView Batch)>> PrepareAsync(PortalUser user, WaveFile file, CancellationToken ct)
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
