using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Execution;

namespace MigrationPortal.Application.Scheduling;

/// <summary>
/// Predicts when waiting migrations will really start once the concurrency limits are counted, for the calendar: the
/// dispatcher starts a request at its planned start only if every resource it needs (host, datastore, connection,
/// global) has a free unit then, so three requests planned at a window's start on a host limited to two show the third
/// starting when the first of the two is expected to end. It replays the dispatcher's rule in planned-start order
/// over the estimated durations; windows closing and estimates being wrong can still move the real starts.
/// </summary>
public static class CapacityForecast
{
    /// <summary>A migration that holds or will hold capacity from <paramref name="Start"/> for <paramref name="Duration"/>.</summary>
    public sealed record Item(Guid Id, DateTimeOffset Start, TimeSpan Duration, IReadOnlyList<ResourceDemand> Demands, bool AlreadyHolding, DateTimeOffset Order);

    /// <summary>The predicted start of a waiting migration, and the resource it waits for when that is later than planned.</summary>
    public sealed record Prediction(DateTimeOffset Start, string? WaitsFor);

    public static IReadOnlyDictionary<Guid, Prediction> Predict(IEnumerable<Item> items)
    {
        var all = items.ToList();
        var placed = all.Where(i => i.AlreadyHolding).Select(i => (i.Start, End: i.Start + i.Duration, i.Demands)).ToList();
        var predictions = new Dictionary<Guid, Prediction>();
        foreach (var item in all.Where(i => !i.AlreadyHolding).OrderBy(i => i.Start).ThenBy(i => i.Order).ThenBy(i => i.Id))
        {
            // Capacity only frees when something ends, so the candidates are the planned start and every later end.
            var candidates = placed.Select(p => p.End).Where(end => end > item.Start).Append(item.Start).Distinct().Order();
            DateTimeOffset? start = null;
            string? waitsFor = null;
            foreach (var at in candidates)
            {
                var exhausted = item.Demands.FirstOrDefault(d =>
                    placed.Where(p => p.Start <= at && at < p.End).Sum(p => p.Demands.Where(x => x.Resource == d.Resource).Sum(x => x.Units)) + d.Units > d.Limit);
                if (exhausted is null)
                {
                    start = at;
                    break;
                }

                waitsFor ??= $"{exhausted.Label} ({exhausted.Limit} at a time)";
            }

            // Everything placed has ended by the last candidate, so a start is always found unless one demand alone
            // exceeds its limit (a misconfiguration the dispatcher reports itself); then keep the planned start.
            var predicted = start ?? item.Start;
            placed.Add((predicted, predicted + item.Duration, item.Demands));
            predictions[item.Id] = new Prediction(predicted, predicted > item.Start ? waitsFor : null);
        }

        return predictions;
    }
}
