# Prints n points "x,y" uniformly inside a unit circle or square, from the given seed.
BEGIN {
    srand(seed)
    printed = 0
    while (printed < n) {
        x = 2 * rand() - 1
        y = 2 * rand() - 1
        if (shape == "circle" && x * x + y * y > 1) continue
        printf "%.6f,%.6f\n", x, y
        printed++
    }
}
