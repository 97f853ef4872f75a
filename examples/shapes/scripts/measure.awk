# Reads "x,y" lines; prints "points,mean_radius,max_radius".
{
    r = sqrt($1 * $1 + $2 * $2)
    sum += r
    if (r > max) max = r
    count++
}
END { printf "%d,%.6f,%.6f\n", count, sum / count, max }
