namespace MigrationPortal.Infrastructure.Conversion;

/// <summary>
/// How many distinct bytes of the source have been read: the conversion's progress. qemu-img's VMDK driver reads a
/// compressed grain with a buffer twice the grain's size, so a streamOptimized disk is served about twice over and a plain
/// count of bytes would pass 100 %; counting each byte once ends at the image's length. qemu-img reads nearly in order,
/// so the merged ranges stay few.
/// </summary>
internal sealed class ReadCoverage
{
    private readonly SortedList<long, long> ranges = []; // start → end (exclusive), disjoint and not touching
    private readonly Lock gate = new();
    private long covered;

    public long Covered
    {
        get { lock (gate) { return covered; } }
    }

    public void Add(long start, long length)
    {
        if (length <= 0)
        {
            return;
        }
        var end = start + length;
        lock (gate)
        {
            // Merge with every range that overlaps or touches [start, end).
            var index = FirstEndingAtOrAfter(start);
            while (index < ranges.Count && ranges.Keys[index] <= end)
            {
                var (rangeStart, rangeEnd) = (ranges.Keys[index], ranges.Values[index]);
                covered -= rangeEnd - rangeStart;
                start = Math.Min(start, rangeStart);
                end = Math.Max(end, rangeEnd);
                ranges.RemoveAt(index);
            }
            ranges.Add(start, end);
            covered += end - start;
        }
    }

    /// <summary>The index of the first range whose end is at or after <paramref name="offset"/> (binary search; ends rise with starts).</summary>
    private int FirstEndingAtOrAfter(long offset)
    {
        int low = 0, high = ranges.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (ranges.Values[middle] < offset)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }
}
