# Reference values for fangkong/surveillance/rules.py, computed by the reference implementations:
# surveillance::earsC (EARS C1, C2, C3) and EpiEstim::estimate_R (Cori et al. 2013).
#
#   Rscript fangkong/surveillance/tests/reference/make_reference.R [out.json]
#
# Debian: apt-get install r-cran-surveillance r-cran-epiestim (jsonlite comes with them).
# The output is committed as reference.json beside this script; test_reference.py compares rules.py to it
# and, when Rscript and the packages are installed, reruns this script and compares again.
suppressPackageStartupMessages({
  library(surveillance)
  library(EpiEstim)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "reference.json"

ears_case <- function(name, observed) {
  sts <- sts(observed = matrix(observed, ncol = 1))
  methods <- list()
  for (m in c("C1", "C2", "C3")) {
    res <- earsC(sts, control = list(method = m))
    first <- switch(m, C1 = 8, C2 = 10, C3 = 12)
    methods[[m]] <- list(
      first = first,
      upperbound = as.vector(upperbound(res)),
      alarm = as.vector(surveillance::alarms(res))
    )
  }
  # a non-default alpha too
  res <- earsC(sts, control = list(method = "C3", alpha = 0.001))
  methods[["C3_alpha_0.001"]] <- list(first = 12, alpha = 0.001,
    upperbound = as.vector(upperbound(res)), alarm = as.vector(surveillance::alarms(res)))
  list(name = name, observed = observed, methods = methods)
}

set.seed(20261206)
point <- sim.pointSource(p = 0.99, r = 0.5, length = 208, A = 1, alpha = 1, beta = 0, phi = 0,
                         frequency = 1, state = NULL, K = 1.7)
data("campyDE")
data("salmNewport")
set.seed(7)
daily <- rpois(730, lambda = 3 + 2 * sin(seq_len(730) * 2 * pi / 365))
daily[c(400, 401, 402)] <- daily[c(400, 401, 402)] + c(9, 14, 20)   # an outbreak
flat <- c(rep(2, 12), 5, rep(0, 10), 1, 0, 0, 3, rep(0, 8), 6)      # sd = 0 windows: NaN and Inf in R
with_na <- c(3, 4, 2, 5, 3, NA, 4, 2, 6, 3, 4, 3, 2, 9, 4, 3, 5, NA, 2, 3, 4, 5, 3, 12, 4, 3, 2, 4)

ears <- list(
  ears_case("sim.pointSource (earsC's own example, seed 20261206)", as.vector(point$observed)),
  ears_case("campyDE$case (weekly campylobacteriosis, Germany)", campyDE$case),
  ears_case("salmNewport, sum over regions (weekly)", as.vector(rowSums(observed(salmNewport)))),
  ears_case("rpois two years daily with an outbreak (seed 7)", daily),
  ears_case("flat and zero windows", flat),
  ears_case("missing days", with_na)
)

rt_case <- function(name, incid, method, config_args) {
  config <- do.call(make_config, c(list(incid = incid), config_args))
  res <- suppressWarnings(suppressMessages(estimate_R(incid, method = method, config = config)))
  R <- res$R
  local <- if (is.data.frame(incid) && "local" %in% names(incid)) incid$local else NULL
  imported <- if (is.data.frame(incid) && "imported" %in% names(incid)) incid$imported else NULL
  I <- if (is.data.frame(incid) && "I" %in% names(incid)) incid$I else if (is.null(local)) as.vector(incid) else NULL
  list(
    name = name, method = method,
    I = I, local = local, imported = imported,
    mean_si = config_args$mean_si, std_si = config_args$std_si, si_distr = config_args$si_distr,
    si_used = as.vector(res$si_distr),
    t_start = R$t_start, t_end = R$t_end,
    mean = R[["Mean(R)"]], sd = R[["Std(R)"]],
    q025 = R[["Quantile.0.025(R)"]], q05 = R[["Quantile.0.05(R)"]], q25 = R[["Quantile.0.25(R)"]],
    median = R[["Median(R)"]], q75 = R[["Quantile.0.75(R)"]], q95 = R[["Quantile.0.95(R)"]],
    q975 = R[["Quantile.0.975(R)"]]
  )
}

data("Flu2009"); data("SARS2003"); data("Measles1861"); data("Flu1918"); data("Smallpox1972")
flu_local_imported <- data.frame(local = Flu2009$incidence$I, imported = 0)
flu_local_imported$local[1] <- 0
flu_local_imported$imported[c(1, 5, 9, 14)] <- c(1, 2, 1, 3)

rt <- list(
  rt_case("Flu2009 parametric_si (2.6, 1.5)", Flu2009$incidence$I, "parametric_si",
          list(mean_si = 2.6, std_si = 1.5)),
  rt_case("Flu2009 non_parametric_si (its si_distr)", Flu2009$incidence$I, "non_parametric_si",
          list(si_distr = Flu2009$si_distr)),
  rt_case("Flu2009 with imported cases, parametric_si (2.6, 1.5)", flu_local_imported, "parametric_si",
          list(mean_si = 2.6, std_si = 1.5)),
  rt_case("SARS2003 non_parametric_si", SARS2003$incidence, "non_parametric_si",
          list(si_distr = SARS2003$si_distr)),
  rt_case("Measles1861 non_parametric_si", Measles1861$incidence, "non_parametric_si",
          list(si_distr = Measles1861$si_distr)),
  rt_case("Flu1918 parametric_si (2.6, 1.5)", Flu1918$incidence, "parametric_si",
          list(mean_si = 2.6, std_si = 1.5)),
  rt_case("Smallpox1972 parametric_si (22.4, 6.1)", Smallpox1972$incidence, "parametric_si",
          list(mean_si = 22.4, std_si = 6.1))
)

discr <- list(list(mu = 2.6, sigma = 1.5, k = 0:20, p = discr_si(0:20, 2.6, 1.5)),
              list(mu = 5.2, sigma = 2.8, k = 0:30, p = discr_si(0:30, 5.2, 2.8)),
              list(mu = 22.4, sigma = 6.1, k = 0:60, p = discr_si(0:60, 22.4, 6.1)))
qg <- expand.grid(p = c(0.025, 0.5, 0.975), shape = c(1, 1.5, 3, 13, 250, 5000), scale = c(0.01, 0.4, 5))
qg$q <- qgamma(qg$p, shape = qg$shape, scale = qg$scale)

write_json(list(
  made_with = list(R = R.version.string, surveillance = as.character(packageVersion("surveillance")),
                   EpiEstim = as.character(packageVersion("EpiEstim"))),
  ears = ears, rt = rt, discr_si = discr, qgamma = qg
), out, digits = NA, auto_unbox = TRUE, na = "null", null = "null", pretty = FALSE)
