using System.Text;

namespace Letterbox.Imap.Session;

/// <summary>
/// A compact uid-set (RFC 4315 §4: "4:7,9") as text, in the order given, for response codes
/// (APPENDUID, COPYUID, MODIFIED) that the session builds as strings; ESEARCH uses the grammar writer.
/// </summary>
internal static class UidSetText
{
    public static string Format(IReadOnlyList<uint> uids)
    {
        var sb = new StringBuilder();
        var i = 0;
        while (i < uids.Count)
        {
            var j = i;
            while (j + 1 < uids.Count && uids[j + 1] == uids[j] + 1)
            {
                j++;
            }
            if (sb.Length > 0)
            {
                sb.Append(',');
            }
            sb.Append(uids[i]);
            if (j > i)
            {
                sb.Append(':').Append(uids[j]);
            }
            i = j + 1;
        }
        return sb.ToString();
    }
}
